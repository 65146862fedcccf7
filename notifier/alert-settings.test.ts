import { parseDuration } from './alert-settings';

describe('durations for /mute and /maintenance', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['2h', 2 * 3_600_000],
    ['1d12h', 36 * 3_600_000],
    ['1w', 7 * 86_400_000],
    [' 2H ', 2 * 3_600_000],
  ])('%p is %p ms', (input, ms) => expect(parseDuration(input)).toBe(ms));
  it.each(['', 'soon', '2', 'h', '-1h', '1.5h', '0m', '99999d'])('%p is not a duration', (input) => {
    const v = parseDuration(input);
    expect(v === null || v > 30 * 86_400_000).toBe(true);
  });
});
