// NODE_SOURCE=simulator: beats for every linked node whose id starts with "sim-", with
// realistic churn, for the demo and for trying the product without a fleet. Stateless: a
// node's schedule is a function of its id and the clock, so any number of workers agree.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { LivenessStore } from '../liveness/store';

export const SIM_PREFIX = 'sim-';

/** A simulated node's id (`sim-1`, `sim-gpu-007`). */
export const isSimulatedId = (id: string) => /^sim-[A-Za-z0-9_-]{1,60}$/.test(id);

export interface SimulatorShape {
  /** Length of one node's cycle. */
  periodMs: number;
  /** Share of nodes that drop once per cycle. */
  churn: number;
  /** How long a drop lasts. */
  downMs: number;
  /** Share of nodes that flap (short drops several times per cycle). */
  flapping: number;
}

export const DEFAULT_SHAPE: SimulatorShape = {
  periodMs: 30 * 60_000,
  churn: 0.3,
  downMs: 5 * 60_000,
  flapping: 0.05,
};

function unit(id: string, salt: string): number {
  return crypto.createHash('sha256').update(`${salt}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Whether the simulated node is up at `now`. */
export function simulatedUp(externalId: string, now: number, shape: SimulatorShape = DEFAULT_SHAPE): boolean {
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
