// The role cache: one lookup per user per TTL, shared by concurrent updates, refreshed ahead
// for active users (never older than the TTL), and closed on a failed lookup.
import { createLogger } from '../../core/logger';
import { RoleResolver, telegramRoleSource, type ChatMemberStatus } from './roles';

describe('RoleResolver', () => {
  const logger = createLogger({ level: 'silent' });
  let now = 1_000_000;
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  function setup(ttlMs = 60_000) {
    let status: ChatMemberStatus = 'member';
    let fail = false;
    const asked: string[] = [];
    let release: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();
    const source = telegramRoleSource(async (userId) => {
      asked.push(userId);
      await gate;
      if (fail) throw new Error('telegram down');
      return { status };
    });
    const resolver = new RoleResolver({ TELEGRAM: source }, logger, ttlMs);
    return {
      resolver,
      asked,
      set: (s: ChatMemberStatus) => (status = s),
      fail: (f: boolean) => (fail = f),
      hold: () => (gate = new Promise((r) => (release = r))),
      release: () => release(),
      roles: async (id = '7') => [...(await resolver.rolesOf('TELEGRAM', id))].sort(),
    };
  }

  it('looks a user up once per TTL, concurrent updates sharing one lookup', async () => {
    const s = setup();
    s.hold();
    const both = Promise.all([s.roles(), s.roles(), s.roles()]);
    s.release();
    expect(await both).toEqual([['staff'], ['staff'], ['staff']]);
    expect(s.asked).toEqual(['7']);
    now += 30_000;
    expect(await s.roles()).toEqual(['staff']);
    expect(s.asked).toHaveLength(1);
  });

  it('refreshes ahead in the last quarter of the TTL and never answers older than the TTL', async () => {
    const s = setup();
    await s.roles();
    s.set('left');
    now += 50_000; // within the TTL, in its last quarter: the cached answer, a refresh behind it
    s.hold();
    expect(await s.roles()).toEqual(['staff']);
    expect(s.asked).toHaveLength(2);
    s.release();
    await new Promise((r) => setImmediate(r));
    expect(await s.roles()).toEqual([]); // the refresh landed: no longer staff
    // Past the TTL without activity: a fresh lookup, waited for.
    s.set('administrator');
    now += 61_000;
    expect(await s.roles()).toEqual(['moderator', 'staff']);
    expect(s.asked).toHaveLength(3);
  });

  it('fails closed on a failed lookup and does not cache the failure', async () => {
    const s = setup();
    s.fail(true);
    expect(await s.roles()).toEqual([]);
    s.fail(false);
    expect(await s.roles()).toEqual(['staff']);
    expect(s.asked).toHaveLength(2);
  });

  it('a failed refresh keeps the answer only until its TTL', async () => {
    const s = setup();
    await s.roles();
    s.fail(true);
    now += 50_000;
    expect(await s.roles()).toEqual(['staff']);
    await new Promise((r) => setImmediate(r));
    now += 11_000;
    expect(await s.roles()).toEqual([]);
  });
});
