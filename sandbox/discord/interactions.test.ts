import {
  ActionRowBuilder,
  AttachmentBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  Events,
  MessageFlags,
  ModalBuilder,
  Routes,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ChatInputApplicationCommandData,
  type Client,
  type Interaction,
} from 'discord.js';
import { InteractionResponseType } from 'discord-api-types/v10';
import { startDiscordSandbox, type DiscordSandbox } from './index';
import { connectClient } from './testing';

const COMMANDS: ChatInputApplicationCommandData[] = [
  {
    name: 'nodes',
    description: 'Manage your worker nodes',
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'add',
        description: 'Add a node',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'node_id',
            description: 'Node id',
            required: true,
          },
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'List your nodes' },
    ],
  },
  {
    name: 'alerts',
    description: 'Alert settings',
    options: [
      {
        type: ApplicationCommandOptionType.SubcommandGroup,
        name: 'mute',
        description: 'Mute alerts',
        options: [
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: 'for',
            description: 'Mute for a while',
            options: [
              {
                type: ApplicationCommandOptionType.Integer,
                name: 'hours',
                description: 'Hours',
                required: true,
              },
            ],
          },
        ],
      },
    ],
  },
  { name: 'status', description: 'Show node status' },
  { name: 'ticket', description: 'Open a support ticket' },
  { name: 'panel', description: 'Show the ticket panel' },
  { name: 'export', description: 'Export a transcript' },
];

/** A tiny bot exercising every response style the sandbox must support. */
async function handle(i: Interaction): Promise<void> {
  if (i.isChatInputCommand()) {
    switch (i.commandName) {
      case 'nodes':
        if (i.options.getSubcommand() === 'add') {
          await i.reply({
            content: `added \`${i.options.getString('node_id', true)}\``,
            flags: MessageFlags.Ephemeral,
          });
        } else {
          await i.reply({ content: 'your nodes', withResponse: true });
          await i.followUp({ content: 'page 2', flags: MessageFlags.Ephemeral });
        }
        return;
      case 'alerts':
        await i.reply(
          `muted for ${i.options.getInteger('hours', true)}h (${i.options.getSubcommandGroup()}/${i.options.getSubcommand()}) locale=${i.locale}`,
        );
        return;
      case 'status':
        await i.deferReply();
        await i.editReply({ content: `all good, ${i.user.username}`, allowedMentions: { parse: [] } });
        return;
      case 'ticket':
        await i.showModal(
          new ModalBuilder()
            .setCustomId('ticket:open')
            .setTitle('Open a ticket')
            .addComponents(
              new ActionRowBuilder<TextInputBuilder>().addComponents(
                new TextInputBuilder()
                  .setCustomId('subject')
                  .setLabel('Subject')
                  .setStyle(TextInputStyle.Short),
              ),
              new ActionRowBuilder<TextInputBuilder>().addComponents(
                new TextInputBuilder()
                  .setCustomId('details')
                  .setLabel('Details')
                  .setStyle(TextInputStyle.Paragraph)
                  .setRequired(false),
              ),
            ),
        );
        return;
      case 'export':
        await i.reply({
          content: 'transcript',
          files: [new AttachmentBuilder(Buffer.from('v1'), { name: 'a.txt' })],
        });
        await i.editReply({
          content: 'transcript v2',
          files: [new AttachmentBuilder(Buffer.from('v2'), { name: 'b.txt' })],
        });
        return;
      case 'panel':
        await i.reply({
          content: 'Need help?',
          components: [
            new ActionRowBuilder<ButtonBuilder>().addComponents(
              new ButtonBuilder()
                .setCustomId('panel:open')
                .setLabel('Open ticket')
                .setStyle(ButtonStyle.Primary),
            ),
            new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
              new StringSelectMenuBuilder()
                .setCustomId('panel:lang')
                .addOptions({ label: 'English', value: 'en' }, { label: '中文', value: 'zh' }),
            ),
          ],
        });
        return;
    }
  }
  if (i.isButton() && i.customId === 'panel:open') {
    await i.update({ content: 'Ticket opened', components: [] });
  }
  if (i.isStringSelectMenu()) {
    await i.deferUpdate();
    await i.editReply({ content: `language: ${i.values.join(',')}` });
  }
  if (i.isModalSubmit()) {
    await i.reply({
      content: `ticket "${i.fields.getTextInputValue('subject')}" / "${i.fields.getTextInputValue('details')}"`,
      flags: MessageFlags.Ephemeral,
    });
  }
}

describe('discord sandbox interactions', () => {
  let dc: DiscordSandbox;
  let client: Client<true>;
  const failures: unknown[] = [];

  beforeAll(async () => {
    dc = await startDiscordSandbox();
    client = await connectClient(dc);
    client.on(Events.InteractionCreate, (i) => void handle(i).catch((err) => failures.push(err)));
    await client.application.commands.set(COMMANDS.slice(0, 2));
    // Guild commands through the raw REST client, as deploy scripts do.
    await client.rest.put(Routes.applicationGuildCommands(dc.applicationId, dc.guildId), {
      body: COMMANDS.slice(2),
    });
  });
  afterAll(async () => {
    await client.destroy();
    await dc.stop();
  });
  afterEach(() => expect(failures).toEqual([]));

  it('stores registered commands and keeps ids on re-registration', async () => {
    expect(dc.commands({ guild: false }).map((c) => c.name)).toEqual(['nodes', 'alerts']);
    expect(dc.commands({ guild: true }).map((c) => c.name)).toEqual(['status', 'ticket', 'panel', 'export']);
    const before = dc.commands({ guild: false })[0]!.id;
    await client.application.commands.set(COMMANDS.slice(0, 2));
    expect(dc.commands({ guild: false })[0]!.id).toBe(before);
  });

  it('refuses invalid command definitions like Discord (50035)', async () => {
    const err = await client.rest
      .put(Routes.applicationCommands(dc.applicationId), { body: [{ name: 'Bad Name', description: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect((err as DiscordAPIError).code).toBe(50035);
    expect(dc.commands({ guild: false })).toHaveLength(2);
  });

  it('round-trips a slash command with a subcommand and an ephemeral reply', async () => {
    const u = dc.user('200000000000000001', { username: 'miner' });
    const i = await u.slash('nodes', { subcommand: 'add', options: { node_id: 'node-abc-123' } });
    const reply = await i.reply();
    expect(reply).toMatchObject({ content: 'added `node-abc-123`', ephemeral: true });
    expect(reply.flags! & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(dc.channel(dc.generalChannelId).messages()).toHaveLength(0);
  });

  it('handles subcommand groups, integer options and the user locale', async () => {
    const u = dc.user('200000000000000002', { locale: 'zh-CN' });
    const reply = await (
      await u.slash('alerts', { group: 'mute', subcommand: 'for', options: { hours: 4 } })
    ).reply();
    expect(reply.content).toBe('muted for 4h (mute/for) locale=zh-CN');
    expect(reply.ephemeral).toBe(false);
    expect(
      dc
        .channel(dc.generalChannelId)
        .messages()
        .map((m) => m.id),
    ).toContain(reply.id);
  });

  it('answers withResponse and sends follow-ups', async () => {
    const i = await dc.user('200000000000000003').slash('nodes', { subcommand: 'list' });
    expect((await i.reply()).content).toBe('your nodes');
    const follow = await i.nextFollowUp();
    expect(follow).toMatchObject({ content: 'page 2', ephemeral: true });
    expect(i.responses.map((r) => r.kind)).toEqual(['callback', 'followup']);
    expect(dc.requests({ path: `/interactions/${i.id}/:token/callback` })[0]).toMatchObject({
      status: 200,
      query: { with_response: 'true' },
    });
  });

  it('resolves a deferred reply with its edit', async () => {
    const i = await dc.user('200000000000000004', { username: 'deferrer' }).slash('status');
    const reply = await i.reply();
    expect(reply).toMatchObject({
      content: 'all good, deferrer',
      ephemeral: false,
      allowed_mentions: { parse: [] },
    });
    expect(i.callbackType).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect(
      dc.requests({ method: 'PATCH', path: '/webhooks/:app/:token/messages/@original' }),
    ).not.toHaveLength(0);
  });

  it('accepts files on interaction callbacks and edits (multipart)', async () => {
    const i = await dc.user('200000000000000011').slash('export');
    expect((await i.reply()).files.map((f) => f.data.toString())).toEqual(['v1']);
    const edit = await dc.waitFor(() => i.responses.find((r) => r.kind === 'edit'));
    expect(edit.kind === 'edit' && edit.message).toMatchObject({ content: 'transcript v2' });
    expect(i.original()!.files.map((f) => [f.filename, f.data.toString()])).toEqual([['b.txt', 'v2']]);
  });

  it('updates the message when a button is pressed', async () => {
    const u = dc.user('200000000000000005');
    const panel = await (await u.slash('panel')).reply();
    const press = await u.press(panel, 'panel:open');
    const updated = await press.reply();
    expect(updated).toMatchObject({ id: panel.id, content: 'Ticket opened', components: [] });
    await expect(u.press(panel, 'panel:open')).rejects.toThrow(/no component "panel:open"/);
  });

  it('delivers select menu values and deferred updates', async () => {
    const u = dc.user('200000000000000006');
    const panel = await (await u.slash('panel')).reply();
    await expect(u.select(panel, 'panel:lang', ['fr'])).rejects.toThrow(/no option/);
    const sel = await u.select(panel, 'panel:lang', ['zh']);
    expect((await sel.reply()).content).toBe('language: zh');
    expect(sel.callbackType).toBe(InteractionResponseType.DeferredMessageUpdate);
  });

  it('shows a modal and delivers its submission', async () => {
    const u = dc.user('200000000000000007');
    const i = await u.slash('ticket');
    const modal = await i.modal();
    expect(modal).toMatchObject({ custom_id: 'ticket:open', title: 'Open a ticket' });
    await expect(i.reply({ timeoutMs: 1000 })).rejects.toThrow(/modal/);
    await expect(u.submitModal('ticket:open', { details: 'no subject' })).rejects.toThrow(/required/);
    const submit = await u.submitModal('ticket:open', { subject: 'GPU missing', details: 'since Monday' });
    expect(await submit.reply()).toMatchObject({
      content: 'ticket "GPU missing" / "since Monday"',
      ephemeral: true,
    });
  });

  it('runs global commands in DMs', async () => {
    const u = dc.user('200000000000000008');
    const i = await u.slash('nodes', { subcommand: 'add', options: { node_id: 'dm-node' }, inDm: true });
    expect(i.payload).toMatchObject({ user: { id: u.id } });
    expect(i.payload.guild_id).toBeUndefined();
    expect((await i.reply()).channel_id).toBe(u.dmChannelId);
    await expect(u.slash('status', { inDm: true })).rejects.toThrow(/not registered globally/);
  });

  it('refuses a second callback and a late one', async () => {
    const u = dc.user('200000000000000009');
    const i = await u.slash('nodes', { subcommand: 'add', options: { node_id: 'x' } });
    await i.reply();
    const again = await client.rest
      .post(Routes.interactionCallback(i.id, i.token), {
        body: { type: 4, data: { content: 'twice' } },
        auth: false,
      })
      .catch((e: unknown) => e);
    expect((again as DiscordAPIError).code).toBe(40060);
    expect(i.errors).toHaveLength(1);

    // Answering after the acknowledgement window is 10062 Unknown interaction.
    dc.state.interactionAckMs = -1;
    try {
      const late = await u.slash('nodes', { subcommand: 'add', options: { node_id: 'y' } });
      const [err] = await dc.waitFor(() => late.errors.length > 0 && late.errors);
      expect(err).toMatchObject({ status: 404, body: { code: 10062, message: 'Unknown interaction' } });
      const thrown = await dc.waitFor(() => failures.pop());
      expect((thrown as DiscordAPIError).code).toBe(10062);
    } finally {
      dc.state.interactionAckMs = 3000;
    }
  });

  it('checks options against the registered definition', async () => {
    const u = dc.user('200000000000000010');
    await expect(u.slash('nodes', { subcommand: 'add', options: {} })).rejects.toThrow(
      /required option "node_id"/,
    );
    await expect(u.slash('nodes', { subcommand: 'add', options: { node_id: 5 } })).rejects.toThrow(
      /expects a string/,
    );
    await expect(u.slash('nodes')).rejects.toThrow(/needs a subcommand/);
    await expect(u.slash('nope')).rejects.toThrow(/not registered/);
  });
});
