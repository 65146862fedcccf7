// IdentityService's two paths (plain SQL on the pool, the per-update path the bots use; and
// Prisma, which tests and the workers build without a pool) give the same records and make
// the same writes: first contact, refreshes, the unblock on return, the language choice.
import { IdentityService, type Contact } from './identity';
import { createTestDatabase, type TestDatabase } from '../test/support/db';

describe('IdentityService', () => {
  let tdb: TestDatabase;
  let n = 0;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(() => tdb.drop());

  const row = (id: string) => tdb.db.prisma.identity.findUniqueOrThrow({ where: { id } });

  describe.each([
    ['plain SQL', () => new IdentityService(tdb.db.prisma, tdb.db.pool)],
    ['Prisma', () => new IdentityService(tdb.db.prisma)],
  ])('%s', (_name, make) => {
    const contact = (over: Partial<Contact> = {}): Contact => ({
      platform: 'TELEGRAM',
      platformUserId: String(900_000 + ++n),
      username: 'alice',
      languageCode: 'zh-hans',
      dmChatId: '42',
      ...over,
    });

    it('creates once under concurrent first messages, then finds the same identity', async () => {
      const ids = make();
      const c = contact();
      const all = await Promise.all(Array.from({ length: 5 }, () => ids.ensure(c)));
      expect(new Set(all.map((r) => r.id)).size).toBe(1);
      const again = await ids.ensure(c);
      expect(again).toEqual(all[0]);
      expect(again).toEqual({
        id: expect.any(String),
        userId: expect.any(String),
        platform: 'TELEGRAM',
        platformUserId: c.platformUserId,
        username: 'alice',
        locale: 'zh',
        localeIsChosen: false,
        dmChatId: '42',
        dmReachable: true,
      });
      expect(await tdb.db.prisma.identity.count({ where: { platformUserId: c.platformUserId } })).toBe(1);
    });

    it('refreshes username, DM chat and language; unblocks; touches last activity at most once a minute', async () => {
      const ids = make();
      const c = contact({ username: 'bob' });
      const first = await ids.ensure(c);
      const before = await row(first.id);
      // Nothing new: no write at all.
      await ids.ensure(c);
      expect((await row(first.id)).updatedAt).toEqual(before.updatedAt);

      await ids.markUnreachable(first.id);
      await tdb.db.prisma.identity.update({
        where: { id: first.id },
        data: { lastActiveAt: new Date(Date.now() - 120_000) },
      });
      const back = await ids.ensure({
        ...c,
        username: 'bob\u0007\u0000the-second',
        dmChatId: '43',
        languageCode: 'en-US',
      });
      expect(back).toMatchObject({
        username: 'bobthe-second',
        dmChatId: '43',
        locale: 'en',
        dmReachable: true,
      });
      const after = await row(first.id);
      expect(after.dmFailedAt).toBeNull();
      expect(after.lastActiveAt.getTime()).toBeGreaterThan(Date.now() - 10_000);
      expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    });

    it('get, setDmChat and markUnreachable (the delivery worker’s writes)', async () => {
      const ids = make();
      const c = contact({ platform: 'DISCORD', dmChatId: null });
      const me = await ids.ensure(c);
      expect(await ids.get(me.id)).toEqual(me);
      expect(await ids.get('00000000-0000-4000-8000-000000000000')).toBeNull();
      await ids.setDmChat('DISCORD', c.platformUserId, 'dm-1');
      const stamp = (await row(me.id)).updatedAt;
      await ids.setDmChat('DISCORD', c.platformUserId, 'dm-1'); // unchanged: no write
      expect((await row(me.id)).updatedAt).toEqual(stamp);
      await ids.markUnreachable(me.id);
      expect(await ids.get(me.id)).toEqual({ ...me, dmChatId: 'dm-1', dmReachable: false });
      expect((await row(me.id)).dmFailedAt).toBeInstanceOf(Date);
    });

    it('a chosen language sticks against the platform setting; choosing it again writes nothing', async () => {
      const ids = make();
      const c = contact({ languageCode: 'en' });
      const me = await ids.ensure(c);
      const chosen = await ids.setLocale(me.id, 'zh');
      expect(chosen).toMatchObject({ id: me.id, locale: 'zh', localeIsChosen: true });
      const stamp = (await row(me.id)).updatedAt;
      expect(await ids.setLocale(me.id, 'zh')).toEqual(chosen);
      if (_name === 'plain SQL') expect((await row(me.id)).updatedAt).toEqual(stamp);
      expect(await ids.ensure(c)).toMatchObject({ locale: 'zh', localeIsChosen: true });
      await expect(ids.setLocale('00000000-0000-4000-8000-000000000000', 'en')).rejects.toThrow();
    });
  });
});
