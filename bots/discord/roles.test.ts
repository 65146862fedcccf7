// The Discord role source against the emulator with two guilds: carried member roles are
// judged as they come; without them the member is looked up in every named guild.
import { startDiscordSandbox, type DiscordSandbox, type GuildInfo } from '../../sandbox/discord';
import { discordRoles } from './roles';

describe('discordRoles with several guilds', () => {
  let dc: DiscordSandbox;
  let b: GuildInfo;
  const STAFF_B = '400000000000000001';
  const PLAIN = '400000000000000002';
  const MOD_A = '400000000000000003';

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: false });
    b = dc.createGuild({ name: 'B' });
    dc.user(STAFF_B, { guildId: b.id, roles: [b.staffRoleId] });
    dc.user(PLAIN, { guildId: b.id });
    dc.user(MOD_A, { roles: [dc.staffRoleId] });
  });
  afterAll(() => dc.stop());

  const source = (guildIds: string[]) =>
    discordRoles({
      token: dc.token,
      apiBase: dc.apiBase,
      guildIds,
      staffRoleIds: [dc.staffRoleId, b.staffRoleId],
      modRoleIds: [dc.staffRoleId],
    });

  it('looks members up in each named guild: staff in any of them is staff', async () => {
    const roles = source([dc.guildId, b.id]);
    expect([...(await roles.rolesOf(STAFF_B))]).toEqual(['staff']);
    expect([...(await roles.rolesOf(MOD_A))].sort()).toEqual(['moderator', 'staff']);
    expect([...(await roles.rolesOf(PLAIN))]).toEqual([]);
    expect([...(await roles.rolesOf('400000000000000009'))]).toEqual([]);
    // A guild left unnamed is not asked.
    expect([...(await source([dc.guildId]).rolesOf(STAFF_B))]).toEqual([]);
  });

  it('judges carried roles without a lookup, and needs no guild for them', async () => {
    const before = dc.requests().length;
    const roles = source([]);
    expect([...(await roles.rolesOf(PLAIN, [b.id, b.staffRoleId]))]).toEqual(['staff']);
    expect([...(await roles.rolesOf(STAFF_B, [b.id]))]).toEqual([]);
    expect([...(await roles.rolesOf(STAFF_B))]).toEqual([]);
    expect(dc.requests().length).toBe(before);
  });
});
