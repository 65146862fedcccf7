// Profiling aid for the bots benchmark (BENCH_PHASES=1): wraps the steps every update goes
// through — identity lookup, role lookup, each SQL statement, each Redis command — with
// timers, so a slow figure can be traced to its cause. Bench-only; production code is untouched.
import pg from 'pg';
import Redis from 'ioredis';
import { IdentityService } from '../../accounts/identity';
import { RoleResolver } from '../../bots/shared/roles';

export type PhaseTimes = Record<string, { n: number; p50: number; p99: number; totalMs: number }>;

export function timePhases(active: () => boolean): () => PhaseTimes {
  const samples = new Map<string, number[]>();
  const record = (name: string, ms: number) => {
    if (active()) (samples.get(name) ?? samples.set(name, []).get(name)!).push(ms);
  };
  const wrap = (proto: object, method: string, name: (args: unknown[]) => string) => {
    const target = proto as Record<string, (...a: unknown[]) => unknown>;
    const original = target[method]!;
    target[method] = function (this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      const out = original.apply(this, args);
      if (out && typeof (out as Promise<unknown>).finally === 'function')
        void (out as Promise<unknown>)
          .finally(() => record(name(args), performance.now() - t0))
          .catch(() => {});
      return out;
    };
  };
  wrap(IdentityService.prototype, 'ensure', () => 'identity.ensure');
  wrap(RoleResolver.prototype, 'rolesOf', () => 'roles.rolesOf');
  const sql = (a: unknown[]) => {
    const q = a[0] as string | { text?: string };
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    // Table names without the scratch schema, so statements group across runs.
    return `sql ${text
      .replace(/"t_[0-9a-f]+"\./g, '')
      .replace(/\s+/g, ' ')
      .slice(0, 70)}`;
  };
  // Prisma's adapter queries through pool.query (the client call inside has a callback and
  // is not timed twice); transactions through a checked-out client.
  wrap(pg.Pool.prototype, 'query', sql);
  wrap(pg.Client.prototype, 'query', sql);
  wrap(pg.Pool.prototype, 'connect', () => 'pool.connect');
  wrap(Redis.prototype, 'sendCommand', (a) => `redis ${(a[0] as { name?: string })?.name ?? '?'}`);
  return () => {
    const out: PhaseTimes = {};
    for (const [k, v] of samples) {
      v.sort((a, b) => a - b);
      const at = (p: number) => v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!;
      out[k] = { n: v.length, p50: at(50), p99: at(99), totalMs: v.reduce((a, b) => a + b, 0) };
    }
    return out;
  };
}
