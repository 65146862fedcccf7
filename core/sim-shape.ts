// The simulator's and the demo fleet's shape as one compact, validated spec string
// (SIMULATOR_SHAPE, DEMO_FLEET; the simulator is notifier/sources/simulator.ts), e.g. `period=30m,churn=0.3,down=5m,flapping=0.05,outages=10m+2m@0.3`:
// durations take s/m/h (plain numbers are seconds), shares are 0-1.

export type SpecField = 'duration' | 'share' | 'count' | 'outages';

/** One outage per cycle: from `atMs` into it, for `forMs`, taking `share` of the nodes down. */
export interface OutageWindow {
  atMs: number;
  forMs: number;
  share: number;
}

export function parseDuration(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

function parseOutages(v: string): OutageWindow[] | null {
  if (v === 'none') return [];
  const out: OutageWindow[] = [];
  for (const part of v.split(';')) {
    const m = /^([^+@]+)\+([^@]+)(?:@(0(?:\.\d+)?|1(?:\.0+)?))?$/.exec(part.trim());
    const atMs = m ? parseDuration(m[1]!) : null;
    const forMs = m ? parseDuration(m[2]!) : null;
    if (!m || atMs === null || forMs === null || forMs === 0) return null;
    out.push({ atMs, forMs, share: m[3] ? Number(m[3]) : 1 });
  }
  return out;
}

/**
 * Parses `key=value,…` against the fields given; returns the values (durations in ms) or
 * a message naming what is wrong.
 */
export function parseShapeSpec<K extends string>(
  spec: string,
  fields: Record<K, SpecField>,
): { ok: true; values: Partial<Record<K, number | OutageWindow[]>> } | { ok: false; error: string } {
  const values: Partial<Record<K, number | OutageWindow[]>> = {};
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key = '', raw = ''] = item.split('=', 2).map((s) => s.trim());
    if (!(key in fields))
      return { ok: false, error: `unknown key "${key}" (known: ${Object.keys(fields).join(', ')})` };
    const kind = fields[key as K];
    let v: number | OutageWindow[] | null;
    if (kind === 'duration') v = parseDuration(raw);
    else if (kind === 'share') v = /^(0(\.\d+)?|1(\.0+)?)$/.test(raw) ? Number(raw) : null;
    else if (kind === 'count') v = /^\d{1,6}$/.test(raw) ? Number(raw) : null;
    else v = parseOutages(raw);
    if (v === null) return { ok: false, error: `bad value for ${key}: "${raw}"` };
    values[key as K] = v;
  }
  return { ok: true, values };
}

export interface SimulatorShape {
  /** Length of one node's cycle. */
  periodMs: number;
  /** Share of nodes that drop once per cycle. */
  churn: number;
  /** How long a drop lasts. */
  downMs: number;
  /** Share of nodes that flap (short drops several times per cycle). */
  flapping: number;
  /** Mass outages at fixed points of every cycle (a data centre going dark). */
  outages: OutageWindow[];
}

export const DEFAULT_SHAPE: SimulatorShape = {
  periodMs: 30 * 60_000,
  churn: 0.3,
  downMs: 5 * 60_000,
  flapping: 0.05,
  outages: [],
};

/** SIMULATOR_SHAPE, e.g. `period=10m,churn=0.2,down=2m,flapping=0,outages=5m+1m@0.5`; unset keys keep defaults. */
export function simulatorShape(spec: string | undefined): SimulatorShape | { error: string } {
  if (!spec) return DEFAULT_SHAPE;
  const p = parseShapeSpec(spec, {
    period: 'duration',
    churn: 'share',
    down: 'duration',
    flapping: 'share',
    outages: 'outages',
  });
  if (!p.ok) return { error: p.error };
  const v = p.values;
  const shape: SimulatorShape = {
    periodMs: (v.period as number | undefined) ?? DEFAULT_SHAPE.periodMs,
    churn: (v.churn as number | undefined) ?? DEFAULT_SHAPE.churn,
    downMs: (v.down as number | undefined) ?? DEFAULT_SHAPE.downMs,
    flapping: (v.flapping as number | undefined) ?? DEFAULT_SHAPE.flapping,
    outages: (v.outages as OutageWindow[] | undefined) ?? DEFAULT_SHAPE.outages,
  };
  if (shape.periodMs < 10_000) return { error: 'period must be at least 10s' };
  if (shape.downMs >= shape.periodMs) return { error: 'down must be shorter than period' };
  if (shape.outages.some((o) => o.atMs + o.forMs > shape.periodMs))
    return { error: 'every outage must end within the period' };
  return shape;
}
