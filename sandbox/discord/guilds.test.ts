// Several guilds in one sandbox: each has its own roles, members and channels; the bot gets
// GUILD_CREATE for each (and for one it joins later); commands, interactions, messages and
// member lookups are scoped to the guild they happen in, as on Discord.
import {
  ApplicationCommandOptionType,
  ChannelType,
  DiscordAPIError,
  Events,
  Routes,
  type Client,
  type Guild,
  type Interaction,
  type Message,
} from 'discord.js';
import { startDiscordSandbox, type DiscordSandbox } from './index';
import { connectClient } from './testing';
import type { GuildInfo } from './guild';
import { P } from './permissions';

const A_STAFF = '300000000000000001';
const B_USER = '300000000000000002';
const OUTSIDER = '300000000000000003';

describe('discord sandbox with several guilds', () => {
  let dc: DiscordSandbox;
  let client: Client<true> | undefined;
  let b: GuildInfo;

  beforeEach(async () => {
    dc = await startDiscordSandbox({ limits: false });
    b = dc.createGuild({ name: 'Second Community', locale: 'de' });
    // Staff in the default guild, a plain member in B: roles are per guild.
    dc.user(A_STAFF, { username: 'astaff', roles: [dc.staffRoleId] });
    dc.user(A_STAFF, { guildId: b.id });
    dc.user(B_USER, { username: 'bea', guildId: b.id, roles: [b.staffRoleId] });
    dc.user(OUTSIDER, { username: 'out', inGuild: false });
  });
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await dc.stop();
  });

  it('sends GUILD_CREATE for every guild, each with its own channels, roles and members', async () => {
    client = await connectClient(dc);
    await dc.waitFor(() => client!.guilds.cache.get(b.id)?.available, { what: 'guild B cached' });
    expect(dc.guilds().map((g) => g.id)).toEqual([dc.guildId, b.id]);
    const ga = client.guilds.cache.get(dc.guildId)!;
    const gb = client.guilds.cache.get(b.id)!;
    expect(gb.name).toBe('Second Community');
    expect(gb.preferredLocale).toBe('de');
    expect(gb.channels.cache.get(b.supportChannelId)?.name).toBe('support');
    expect(ga.channels.cache.has(b.supportChannelId)).toBe(false);
    expect(gb.roles.cache.has(b.staffRoleId)).toBe(true);
    expect(gb.roles.cache.has(dc.staffRoleId)).toBe(false);
    expect(ga.members.cache.get(A_STAFF)!.roles.cache.has(dc.staffRoleId)).toBe(true);
    expect(gb.members.cache.get(A_STAFF)!.roles.cache.map((r) => r.id)).toEqual([b.id]);
    expect(gb.members.cache.get(B_USER)!.roles.cache.has(b.staffRoleId)).toBe(true);
    expect(ga.members.cache.has(B_USER)).toBe(false);
    // B's mod channel is hidden from B's @everyone and open to B's Staff.
    const mod = gb.channels.cache.get(b.modChannelId)!;
    expect(mod.permissionsFor(gb.roles.everyone)?.has('ViewChannel')).toBe(false);
    expect(mod.permissionsFor(b.staffRoleId)?.has('ViewChannel')).toBe(true);
  });

  it('a guild created after connecting arrives as GUILD_CREATE, as when the bot joins', async () => {
    client = await connectClient(dc);
    const joined = new Promise<Guild>((resolve) => client!.once(Events.GuildCreate, resolve));
    const c = dc.createGuild({ name: 'Third' });
    const guild = await joined;
    expect(guild.id).toBe(c.id);
    expect(guild.channels.cache.get(c.generalChannelId)?.type).toBe(ChannelType.GuildText);
    expect(client.guilds.cache.size).toBe(3);
  });

  it('guild commands stay in their guild; global commands reach every guild', async () => {
    client = await connectClient(dc);
    await client.application.commands.set([{ name: 'status', description: 'Status' }], dc.guildId);
    await client.application.commands.set([
      {
        name: 'ticket',
        description: 'Tickets',
        options: [{ type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role' }],
      },
    ]);
    expect(dc.commands({ guildId: b.id }).map((c) => c.name)).toEqual(['ticket']);
    const u = dc.user(B_USER);
    await expect(u.slash('status', { guildId: b.id })).rejects.toThrow(/not registered in guild/);
    const seen = new Promise<Interaction>((resolve) => client!.once(Events.InteractionCreate, resolve));
    const i = await u.slash('ticket', { guildId: b.id, options: { role: b.staffRoleId } });
    const got = await seen;
    expect(i.payload).toMatchObject({ guild_id: b.id, channel_id: b.generalChannelId, guild_locale: 'de' });
    expect((i.payload as { member?: { roles: string[] } }).member?.roles).toEqual([b.staffRoleId]);
    expect(got.guildId).toBe(b.id);
    // A role option resolves only in the guild it is used in.
    await expect(u.slash('ticket', { guildId: b.id, options: { role: dc.staffRoleId } })).rejects.toThrow(
      /unknown role/,
    );
    // The same user acts in the default guild with the roles they hold there.
    const a = await dc.user(A_STAFF).slash('ticket');
    expect((a.payload as { member?: { roles: string[] } }).member?.roles).toEqual([dc.staffRoleId]);
    const inB = await dc.user(A_STAFF).slash('ticket', { channelId: b.supportChannelId });
    expect(inB.payload).toMatchObject({ guild_id: b.id, member: { roles: [] } });
  });

  it('messages carry the guild id and the author’s roles in that guild; threads belong to it', async () => {
    client = await connectClient(dc);
    const seen = new Promise<Message>((resolve) =>
      client!.on(Events.MessageCreate, (m) => m.author.id === B_USER && resolve(m)),
    );
    await dc.user(B_USER).sendMessage(b.generalChannelId, 'hello from B');
    const m = await seen;
    expect(m.guildId).toBe(b.id);
    expect(m.member?.roles.cache.has(b.staffRoleId)).toBe(true);

    const thread = (await client.rest.post(Routes.threads(b.supportChannelId), {
      body: { name: 'ticket in B', type: ChannelType.PrivateThread },
    })) as { id: string; guild_id: string };
    expect(thread.guild_id).toBe(b.id);
    expect(dc.threads().find((t) => t.id === thread.id)?.guildId).toBe(b.id);
    await client.rest.put(Routes.threadMembers(thread.id, B_USER));
    // Only members of the thread's guild can be added to it.
    await expect(client.rest.put(Routes.threadMembers(thread.id, OUTSIDER))).rejects.toMatchObject({
      status: 404,
      code: 10007,
    });
  });

  it('member lookups are per guild; an unknown guild is 404 Unknown Guild', async () => {
    client = await connectClient(dc);
    const inB = (await client.rest.get(Routes.guildMember(b.id, B_USER))) as { roles: string[] };
    expect(inB.roles).toEqual([b.staffRoleId]);
    const aInB = (await client.rest.get(Routes.guildMember(b.id, A_STAFF))) as { roles: string[] };
    expect(aInB.roles).toEqual([]);
    await expect(client.rest.get(Routes.guildMember(dc.guildId, B_USER))).rejects.toMatchObject({
      status: 404,
      code: 10007,
    });
    const unknown = '123456789012345678';
    for (const route of [
      Routes.guild(unknown),
      Routes.guildMember(unknown, B_USER),
      Routes.guildRoles(unknown),
      Routes.applicationGuildCommands(dc.applicationId, unknown),
    ]) {
      const err = await client.rest.get(route).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiscordAPIError);
      expect(err).toMatchObject({ status: 404, code: 10004, message: 'Unknown Guild' });
    }
    expect(((await client.rest.get(Routes.guild(b.id))) as { name: string }).name).toBe('Second Community');
    // A user who shares only guild B with the bot can still be sent DMs.
    const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: B_USER } })) as {
      id: string;
    };
    await client.rest.post(Routes.channelMessages(dm.id), { body: { content: 'hi' } });
    expect(dc.user(B_USER).dms()).toHaveLength(1);
  });

  it('helpers refuse guilds and channels that do not fit', () => {
    expect(() => dc.createGuild({ name: 'x', id: 'not-a-snowflake' })).toThrow(/snowflake/);
    expect(() => dc.createGuild({ name: 'x', id: b.id })).toThrow(/already exists/);
    expect(() => dc.user(B_USER, { guildId: '123456789012345678' })).toThrow(/unknown guild/);
    expect(() => dc.commands({ guildId: '123456789012345678' })).toThrow(/unknown guild/);
    expect(dc.channelByName('support', { guildId: b.id })?.id).toBe(b.supportChannelId);
    const staffOnly = dc.createChannel({ name: 'b-staff', guildId: b.id, staffOnly: true });
    expect((staffOnly as { guild_id: string }).guild_id).toBe(b.id);
    expect(dc.state.can(B_USER, staffOnly.id, P.ViewChannel)).toBe(true);
    expect(dc.state.can(A_STAFF, staffOnly.id, P.ViewChannel)).toBe(false);
  });

  it('user helpers act in the chosen guild and refuse a channel of another one', async () => {
    client = await connectClient(dc);
    await client.application.commands.set([{ name: 'status', description: 'Status' }]);
    const u = dc.user(B_USER);
    await expect(u.slash('status', { guildId: b.id, channelId: dc.generalChannelId })).rejects.toThrow(
      /not in guild/,
    );
    // B_USER is not in the default guild: its channels are closed to them.
    await expect(u.slash('status')).rejects.toThrow(/may not use/);
    await expect(u.sendMessage(dc.generalChannelId, 'hi')).rejects.toThrow(/may not post/);
    expect(u.rolesIn(b.id)).toEqual([b.staffRoleId]);
    expect(u.roles).toEqual([]);
  });
});
