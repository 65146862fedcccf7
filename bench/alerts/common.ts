// Shared pieces of the alert benchmarks: a scratch schema and prefix, percentiles, output.
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
