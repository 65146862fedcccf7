// CPU per identity lookup (the step every chat update starts with), Prisma against plain SQL
// on the same pool: `node -r tsx/cjs bench/bots/identity-cpu.ts`. Calls run one at a time, so
// the figure is CPU of this process per call, mostly independent of a busy database.
import { IdentityService } from '../../accounts/identity';
import { createTestDatabase } from '../../test/support/db';

async function main() {
  const tdb = await createTestDatabase();
  const N = Number(process.env.N ?? 2000);
  try {
    const contacts = Array.from({ length: 50 }, (_, i) => ({
      platform: 'TELEGRAM' as const,
      platformUserId: String(8_000_000 + i),
      username: `u${i}`,
      languageCode: 'en',
      dmChatId: String(8_000_000 + i),
    }));
    const seed = new IdentityService(tdb.db.prisma);
    for (const c of contacts) await seed.ensure(c);
    for (const [name, svc] of [
      ['prisma', new IdentityService(tdb.db.prisma)],
      ['plain SQL', new IdentityService(tdb.db.prisma, tdb.db.pool)],
    ] as const) {
      for (let i = 0; i < 200; i++) await svc.ensure(contacts[i % 50]!); // warm-up
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await svc.ensure(contacts[i % 50]!);
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - t0;
      console.log(
        `${name.padEnd(10)} ${N} lookups: CPU ${((used.user + used.system) / 1000 / N).toFixed(3)} ms each, wall ${(wall / N).toFixed(3)} ms each`,
      );
    }
  } finally {
    await tdb.drop();
  }
}
void main().then(() => process.exit(0));
