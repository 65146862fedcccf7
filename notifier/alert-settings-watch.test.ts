// /maintenance names a device; a second watcher's row of it is `<device>~<user>` and must be found.
import { AlertSettings } from './alert-settings';
import { watchExternalId } from '../accounts/node-networks';
import { createTestDatabase, type TestDatabase } from '../test/support/db';

describe('maintenance of a watched device', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(() => tdb.drop());

  it("finds the watcher's own row by the device id, and nobody else's", async () => {
    const prisma = tdb.db.prisma;
    const [owner, watcher, stranger] = await Promise.all(
      [1, 2, 3].map(() => prisma.user.create({ data: {} })),
    );
    const device = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    await prisma.node.create({ data: { externalId: device, userId: owner!.id } });
    await prisma.node.create({
      data: { externalId: watchExternalId(device, watcher!.id), userId: watcher!.id },
    });
    const settings = new AlertSettings(prisma);

    expect(await settings.maintenance(watcher!.id, device, '2h')).toMatchObject({ ok: true });
    const rows = await prisma.node.findMany({ orderBy: { externalId: 'asc' } });
    expect(rows.find((r) => r.userId === watcher!.id)!.maintenanceUntil).not.toBeNull();
    expect(rows.find((r) => r.userId === owner!.id)!.maintenanceUntil).toBeNull();

    expect(await settings.maintenance(stranger!.id, device, '2h')).toEqual({ ok: false, error: 'not_yours' });
    expect(await settings.maintenance(watcher!.id, device, 'off')).toMatchObject({ ok: true, until: null });
  });
});
