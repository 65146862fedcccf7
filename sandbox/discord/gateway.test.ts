import { ChannelType, Client, Events, GatewayIntentBits } from 'discord.js';
import { startDiscordSandbox, type DiscordSandbox } from './index';
import { connectClient } from './testing';

describe('discord sandbox gateway', () => {
  let dc: DiscordSandbox;
  let client: Client<true> | undefined;

  beforeEach(async () => {
    dc = await startDiscordSandbox({ heartbeatIntervalMs: 100 });
  });
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await dc.stop();
  });

  it('logs discord.js in and fills its guild cache from GUILD_CREATE', async () => {
    dc.user('100000000000000001', { username: 'miner', roles: [dc.staffRoleId] });
    client = await connectClient(dc);
    await dc.ready({ timeoutMs: 5000 });

    expect(client.user.id).toBe(dc.botUserId);
    expect(client.user.bot).toBe(true);
    expect(client.application.id).toBe(dc.applicationId);
    const guild = client.guilds.cache.get(dc.guildId)!;
    expect(guild.available).toBe(true);
    expect(guild.channels.cache.get(dc.modChannelId)?.type).toBe(ChannelType.GuildText);
    expect(guild.channels.cache.filter((c) => c.type === ChannelType.GuildCategory).size).toBe(2);
    expect(guild.roles.cache.has(dc.staffRoleId)).toBe(true);
    const member = guild.members.cache.get('100000000000000001')!;
    expect(member.roles.cache.has(dc.staffRoleId)).toBe(true);
    // The mod channel is staff-only; the bot still sees it through its member overwrite.
    expect(
      guild.channels.cache.get(dc.modChannelId)!.permissionsFor(guild.roles.everyone)?.has('ViewChannel'),
    ).toBe(false);
    expect(guild.channels.cache.get(dc.modChannelId)!.permissionsFor(client.user)?.has('ViewChannel')).toBe(
      true,
    );
    expect(dc.requests({ method: 'GET', path: '/gateway/bot' })).toHaveLength(1);

    // The REST reads that bots do at start-up.
    expect((await client.application.fetch()).id).toBe(dc.applicationId);
    expect((await guild.members.fetch({ user: '100000000000000001', force: true })).user.username).toBe(
      'miner',
    );
    expect((await guild.roles.fetch()).has(dc.staffRoleId)).toBe(true);
    expect(((await client.channels.fetch(dc.modChannelId, { force: true })) as { name: string }).name).toBe(
      'mod-queue',
    );
  });

  it('answers heartbeats', async () => {
    client = await connectClient(dc);
    await dc.waitFor(() => client!.ws.ping >= 0, { what: 'a heartbeat ACK', timeoutMs: 5000 });
  });

  it('resumes after the gateway drops the connection and replays missed events', async () => {
    const u = dc.user('100000000000000002');
    client = await connectClient(dc);
    await client.application.commands.set([{ name: 'status', description: 'Show your nodes' }]);
    const resumed = new Promise<void>((resolve) => client!.once(Events.ShardResume, () => resolve()));
    const seen = new Promise<string>((resolve) =>
      client!.once(Events.InteractionCreate, (i) => resolve(i.id)),
    );

    dc.disconnect();
    // Dispatched while the client is away: it must arrive through the RESUME replay.
    const i = await u.slash('status');
    await resumed;
    expect(await seen).toBe(i.id);
    expect(dc.gatewayStats()).toMatchObject({ identifies: 1, resumes: 1 });
  });

  it('resumes when asked to reconnect (op 7)', async () => {
    client = await connectClient(dc);
    const resumed = new Promise<void>((resolve) => client!.once(Events.ShardResume, () => resolve()));
    dc.requestReconnect();
    await resumed;
    expect(dc.gatewayStats()).toMatchObject({ identifies: 1, resumes: 1 });
  });

  it('identifies anew when the session is invalidated', async () => {
    // discord.js spaces IDENTIFYs 5 s apart; skip that wait here.
    client = await connectClient(dc, {
      ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) },
    });
    // Wait for the client's own event, not the emulator's: destroying a shard that is
    // still waiting for READY makes discord.js reconnect instead of stopping.
    const readyAgain = new Promise<void>((resolve) => client!.once(Events.ShardReady, () => resolve()));
    dc.disconnect({ invalidateSession: true });
    await readyAgain;
    expect(dc.gatewayStats()).toMatchObject({ identifies: 2, invalidSessions: 1, resumes: 0 });
  });

  it('refuses a wrong token with 401 before connecting', async () => {
    const bad = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: dc.apiBase } });
    await expect(bad.login('not-the-token')).rejects.toThrow(/token/i);
    await bad.destroy();
    expect(dc.requests({ path: '/gateway/bot' })[0]).toMatchObject({
      status: 401,
      response: { message: '401: Unauthorized', code: 0 },
    });
  });
});
