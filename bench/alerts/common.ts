// Shared pieces of the alert benchmarks: a scratch schema and prefix, percentiles, output.
import type { PrismaClient } from '@prisma/client';
import type { DiscordSandbox } from '../../sandbox/discord';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { deleteKeys, testPrefix } from '../../test/support/redis';

export async function scratch(): Promise<{
  tdb: TestDatabase;
  prefix: string;
  cleanup: () => Promise<void>;
}> {
  const tdb = await createTestDatabase();
  const prefix = testPrefix();
  return {
    tdb,
    prefix,
    cleanup: async () => {
      await tdb.drop();
      await deleteKeys(prefix);
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function report(
  title: string,
  rows: Record<string, string | number>,
  verdict?: { ok: boolean; target: string },
) {
  const lines = [`\n== ${title}`];
  for (const [k, v] of Object.entries(rows)) lines.push(`  ${k.padEnd(40)} ${v}`);
  if (verdict) lines.push(`  ${'target'.padEnd(40)} ${verdict.target}  → ${verdict.ok ? 'MET' : 'NOT MET'}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Discord DM channels are opened when a user first uses the bot (bots/discord), so at
 * alert time they are known: open them the same way, one REST call per user.
 */
export async function openDiscordDms(
  dc: DiscordSandbox,
  prisma: PrismaClient,
  owners: Array<{ platform: string; platformUserId: string }>,
): Promise<void> {
  const dcOwners = owners.filter((o) => o.platform === 'DISCORD');
  for (let i = 0; i < dcOwners.length; i += 25) {
    await Promise.all(
      dcOwners.slice(i, i + 25).map(async (o) => {
        let ch: { id?: string; retry_after?: number } = {};
        while (!ch.id) {
          const res = await fetch(`${dc.apiBase}/v10/users/@me/channels`, {
            method: 'POST',
            headers: { authorization: `Bot ${dc.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ recipient_id: o.platformUserId }),
          });
          ch = (await res.json()) as typeof ch;
          if (!ch.id) await new Promise((r) => setTimeout(r, Math.ceil((ch.retry_after ?? 0.1) * 1000)));
        }
        await prisma.identity.updateMany({
          where: { platform: 'DISCORD', platformUserId: o.platformUserId },
          data: { dmChatId: ch.id },
        });
      }),
    );
  }
}
