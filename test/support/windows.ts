// Sliding-window counts for rate-limit assertions.

/** The most events inside any window of `windowMs` (half-open, like the sandboxes count). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j]! <= t[i]! - windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
