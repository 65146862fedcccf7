import { uptimeShare } from './uptime';

const at = (m: number) => new Date(m * 60_000);

describe('uptime', () => {
  it('is the online share of the known time in the window', () => {
    // online from 0, offline 30..45, online again: 45 of 60 minutes.
    expect(
      uptimeShare(
        'ONLINE',
        [
          { to: 'OFFLINE', at: at(30) },
          { to: 'ONLINE', at: at(45) },
        ],
        0,
        60 * 60_000,
      ),
    ).toBeCloseTo(0.75);
  });
  it('does not count time before the first heartbeat', () => {
    expect(uptimeShare(null, [{ to: 'ONLINE', at: at(30) }], 0, 60 * 60_000)).toBe(1);
  });
  it('is unknown without any state', () => {
    expect(uptimeShare(null, [], 0, 1000)).toBeNull();
  });
  it('ignores transitions before the window except to set the starting state', () => {
    expect(
      uptimeShare(
        null,
        [
          { to: 'OFFLINE', at: at(-10) },
          { to: 'ONLINE', at: at(50) },
        ],
        0,
        60 * 60_000,
      ),
    ).toBeCloseTo(10 / 60);
  });
});
