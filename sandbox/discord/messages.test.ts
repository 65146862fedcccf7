import {
  AttachmentBuilder,
  ChannelType,
  DiscordAPIError,
  Events,
  ThreadAutoArchiveDuration,
  type Client,
  type Message,
  type TextChannel,
} from 'discord.js';
import { startDiscordSandbox, type DiscordSandbox } from './index';
import { connectClient } from './testing';

describe('discord sandbox messages, DMs and threads', () => {
  let dc: DiscordSandbox;
  let client: Client<true>;
  const staffId = '300000000000000001';
  const memberId = '300000000000000002';

  beforeAll(async () => {
    // Real bucket sizes, 20x shorter windows: the client still queues, just not for seconds.
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    dc.user(staffId, { username: 'mod', roles: [dc.staffRoleId] });
    dc.user(memberId, { username: 'miner' });
    client = await connectClient(dc);
  });
  afterAll(async () => {
    await client.destroy();
    await dc.stop();
  });

  const channel = (id: string) => client.channels.cache.get(id) as TextChannel;

  it('delivers DMs sent with user.send and refuses them with 50007 once blocked', async () => {
    const u = dc.user(memberId);
    const user = await client.users.fetch(memberId);
    await user.send('Your node **n-1** is offline');
    expect(await u.nextDm()).toMatchObject({
      content: 'Your node **n-1** is offline',
      channel_id: u.dmChannelId,
    });
    // The DM channel is stable per recipient.
    expect(
      (
        (await client.rest.post('/users/@me/channels', { body: { recipient_id: memberId } })) as {
          id: string;
        }
      ).id,
    ).toBe(u.dmChannelId);

    u.blockDms();
    const err = await user.send('still there?').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect(err).toMatchObject({ code: 50007, status: 403, message: 'Cannot send messages to this user' });
    u.unblockDms();
    await user.send('back online');
    expect((await u.nextDm()).content).toBe('back online');
    expect(u.dms().map((m) => m.content)).toEqual(['Your node **n-1** is offline', 'back online']);
  });

  it('computes who a message pings from content and allowed_mentions', async () => {
    const general = channel(dc.generalChannelId);
    const quiet = await general.send({
      content: '@everyone <@&' + dc.staffRoleId + '> <@' + memberId + '> maintenance',
      allowedMentions: { parse: [] },
    });
    const loud = await general.send('@everyone <@' + memberId + '> maintenance');
    const some = await general.send({
      content: `<@${memberId}> <@${staffId}>`,
      allowedMentions: { users: [staffId] },
    });

    expect(dc.message(quiet.id)).toMatchObject({
      allowed_mentions: { parse: [] },
      pinged: { everyone: false, roles: [], users: [] },
    });
    expect(dc.message(loud.id)).toMatchObject({
      allowed_mentions: undefined,
      pinged: { everyone: true, roles: [], users: [memberId] },
    });
    expect(dc.message(some.id)?.pinged).toEqual({ everyone: false, roles: [], users: [staffId] });
    expect(loud.mentions.everyone).toBe(true);
  });

  it('refuses content over 2000 characters and empty messages (like Discord)', async () => {
    const general = channel(dc.generalChannelId);
    const long = await general.send('x'.repeat(2001)).catch((e: unknown) => e);
    expect(long).toMatchObject({
      status: 400,
      code: 50035,
      rawError: { errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
    const empty = await client.rest
      .post(`/channels/${dc.generalChannelId}/messages`, { body: { content: ' ' } })
      .catch((e: unknown) => e);
    expect(empty).toMatchObject({ status: 400, code: 50006 });
  });

  it('stores uploaded files and serves them back', async () => {
    const mod = channel(dc.modChannelId);
    await mod.send({
      content: 'transcript',
      files: [new AttachmentBuilder(Buffer.from('line 1\nline 2'), { name: 'ticket-42.txt' })],
    });
    const m = await dc.channel(dc.modChannelId).nextMessage();
    expect(m.files).toHaveLength(1);
    expect(m.files[0]).toMatchObject({ filename: 'ticket-42.txt' });
    expect(m.files[0]!.data.toString()).toBe('line 1\nline 2');
    const res = await fetch(m.attachments[0]!.url);
    expect(await res.text()).toBe('line 1\nline 2');
  });

  it('emits messageCreate for user messages in channels and DMs', async () => {
    const seen: Message[] = [];
    const onMessage = (m: Message) => void seen.push(m);
    client.on(Events.MessageCreate, onMessage);
    try {
      const u = dc.user(memberId);
      await u.sendMessage(dc.generalChannelId, 'gm miners');
      await u.sendDm('is my node online?');
      await dc.waitFor(() => seen.filter((m) => !m.author.bot).length === 2);
      const [inGuild, inDm] = seen.filter((m) => !m.author.bot);
      expect(inGuild).toMatchObject({
        content: 'gm miners',
        channelId: dc.generalChannelId,
        guildId: dc.guildId,
      });
      expect(inGuild!.member?.id).toBe(memberId);
      expect(inDm).toMatchObject({ content: 'is my node online?', channelId: u.dmChannelId, guildId: null });
      expect(inDm!.channel.type).toBe(ChannelType.DM);
    } finally {
      client.off(Events.MessageCreate, onMessage);
    }
  });

  it('keeps the staff channel away from members', async () => {
    await expect(dc.user(memberId).sendMessage(dc.modChannelId, 'let me in')).rejects.toThrow(/may not post/);
    await dc.user(staffId).sendMessage(dc.modChannelId, 'triaging');
  });

  it('creates private threads, adds members, archives and locks them', async () => {
    const support = channel(dc.supportChannelId);
    const thread = await support.threads.create({
      name: 'ticket-7',
      type: ChannelType.PrivateThread,
      invitable: false,
      autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
    });
    await thread.members.add(memberId);
    await dc.user(memberId).sendMessage(thread.id, 'my GPU vanished');
    await expect(dc.user('300000000000000003').sendMessage(thread.id, 'hi')).rejects.toThrow(/may not post/);
    await thread.send('A moderator will look at it');
    await thread.setLocked(true);
    await thread.setArchived(true);

    const [info] = dc.threads();
    expect(info).toMatchObject({
      id: thread.id,
      name: 'ticket-7',
      type: 'private',
      parentId: dc.supportChannelId,
      archived: true,
      locked: true,
      invitable: false,
    });
    expect(info!.members.sort()).toEqual([dc.botUserId, memberId].sort());
    expect(
      dc
        .channel(thread.id)
        .messages()
        .map((m) => m.content),
    ).toEqual(['my GPU vanished', 'A moderator will look at it']);
    // Archived and locked: members can no longer post.
    await expect(dc.user(memberId).sendMessage(thread.id, 'hello?')).rejects.toMatchObject({ code: 50083 });
  });

  it('lets the bot edit and delete its messages and fetch history', async () => {
    const general = channel(dc.generalChannelId);
    const m = await general.send('draft');
    await m.edit('final');
    expect(dc.message(m.id)).toMatchObject({ content: 'final' });
    expect(dc.message(m.id)!.edited_timestamp).not.toBeNull();
    const history = await general.messages.fetch({ limit: 2 });
    expect(history.first()!.id).toBe(m.id);
    await m.delete();
    expect(
      dc
        .channel(dc.generalChannelId)
        .messages()
        .some((x) => x.id === m.id),
    ).toBe(false);
  });
});
