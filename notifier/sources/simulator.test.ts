import { DEFAULT_SHAPE, simulatedUp, simulatorShape } from './simulator';

describe('simulator source', () => {
  it('is deterministic and drops about the configured share of nodes once per cycle', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `sim-${i}`);
    const t = 1_800_000_000_000;
    expect(ids.map((id) => simulatedUp(id, t))).toEqual(ids.map((id) => simulatedUp(id, t)));
    // Over one cycle, the share of node-time offline ≈ churn × down/period + flapping × 1/2.
    let down = 0;
    let samples = 0;
    for (let s = 0; s < DEFAULT_SHAPE.periodMs; s += 60_000) {
      for (const id of ids) {
        samples++;
        if (!simulatedUp(id, t + s)) down++;
      }
    }
    const expected = 0.3 * 0.95 * (5 / 30) + 0.05 * 0.5;
    expect(down / samples).toBeGreaterThan(expected * 0.7);
    expect(down / samples).toBeLessThan(expected * 1.3);
  });
});

describe('simulator shape (SIMULATOR_SHAPE)', () => {
  it('parses the spec, keeps defaults for unset keys, and refuses bad values with a reason', () => {
    expect(simulatorShape(undefined)).toEqual(DEFAULT_SHAPE);
    expect(simulatorShape('period=10m,churn=0,flapping=0,outages=2m+1m@0.5')).toEqual({
      ...DEFAULT_SHAPE,
      periodMs: 600_000,
      churn: 0,
      flapping: 0,
      outages: [{ atMs: 120_000, forMs: 60_000, share: 0.5 }],
    });
    expect(simulatorShape('churn=2')).toEqual({ error: 'bad value for churn: "2"' });
    expect(simulatorShape('speed=1')).toMatchObject({ error: expect.stringMatching(/unknown key "speed"/) });
    expect(simulatorShape('period=10m,outages=9m+2m')).toEqual({
      error: 'every outage must end within the period',
    });
  });

  it('an outage window takes its share of the fleet down at the same point of every cycle, and only then', () => {
    const shape = simulatorShape('period=10m,churn=0,flapping=0,outages=2m+1m@0.5');
    if ('error' in shape) throw new Error(shape.error);
    const ids = Array.from({ length: 1000 }, (_, i) => `sim-${i}`);
    const cycle = 1_800_000_000_000 - (1_800_000_000_000 % 600_000);
    const downAt = (t: number) => ids.filter((id) => !simulatedUp(id, t, shape)).length;
    expect(downAt(cycle + 60_000)).toBe(0);
    const during = downAt(cycle + 150_000);
    expect(during).toBeGreaterThan(400);
    expect(during).toBeLessThan(600);
    expect(downAt(cycle + 600_000 + 150_000)).toBe(during);
    expect(downAt(cycle + 200_000)).toBe(0);
  });
});
