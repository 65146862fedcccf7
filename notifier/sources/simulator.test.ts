import { DEFAULT_SHAPE, simulatedUp } from './simulator';

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
