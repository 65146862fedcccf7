// NODE_SOURCE=simulator: beats for every linked node whose id starts with "sim-", with
// realistic churn, for the demo and for trying the product without a fleet. Stateless: a
// node's schedule is a function of its id and the clock, so any number of workers agree.
// The shape (cycle, churn, flapping, outage schedule) is SIMULATOR_SHAPE (core/sim-shape.ts).
import crypto from 'node:crypto';
import type pg from 'pg';
import type { LivenessStore } from '../liveness/store';
import { DEFAULT_SHAPE, type SimulatorShape } from '../../core/sim-shape';

export { DEFAULT_SHAPE, simulatorShape, type SimulatorShape } from '../../core/sim-shape';

export const SIM_PREFIX = 'sim-';

/** A simulated node's id (`sim-1`, `sim-gpu-007`). */
export const isSimulatedId = (id: string) => /^sim-[A-Za-z0-9_-]{1,60}$/.test(id);

function unit(id: string, salt: string): number {
  return crypto.createHash('sha256').update(`${salt}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Whether the simulated node is up at `now`. */
export function simulatedUp(externalId: string, now: number, shape: SimulatorShape = DEFAULT_SHAPE): boolean {
  // Outages hit the whole fleet at once: the same point of the cycle for every node.
  const cycle = now % shape.periodMs;
  for (const o of shape.outages)
    if (cycle >= o.atMs && cycle < o.atMs + o.forMs && unit(externalId, `outage:${o.atMs}`) < o.share)
      return false;
  const phase = (now + unit(externalId, 'phase') * shape.periodMs) % shape.periodMs;
  if (unit(externalId, 'flap') < shape.flapping) return Math.floor(phase / (shape.downMs / 4)) % 2 === 0;
  if (unit(externalId, 'churn') < shape.churn) return phase >= shape.downMs;
  return true;
}

export async function simulatorTick(
  pool: pg.Pool,
  store: LivenessStore,
  graceMs: number,
  now = Date.now(),
  shape = DEFAULT_SHAPE,
): Promise<number> {
  const { rows } = await pool.query<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM nodes WHERE user_id IS NOT NULL AND external_id LIKE '${SIM_PREFIX}%'`,
  );
  const up = rows.filter((r) => simulatedUp(r.external_id, now, shape));
  await store.beat(
    up.map((r) => ({ nodeId: r.id, at: now })),
    now - graceMs,
  );
  return up.length;
}
