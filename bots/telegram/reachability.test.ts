import { createLogger } from '../../core/logger';
import { ApiReachability } from './reachability';

const TOKEN = '123456789:AAE_reachability_secret_token_value';

function setup() {
  const lines: Array<{ msg: string; level: number; err?: { message: string } }> = [];
  const logger = createLogger({ destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  let now = 0;
  const r = new ApiReachability(logger, 5_000, () => now);
  return { r, lines, tick: (ms: number) => void (now += ms), msgs: () => lines.map((l) => l.msg) };
}

describe('Telegram API reachability', () => {
  it('an outage is one line when lost and one when back, however many calls fail meanwhile; no token in either', () => {
    const { r, lines, tick, msgs } = setup();
    r.answered();
    for (let i = 0; i < 100; i++) {
      r.failed(
        'getUpdates',
        `Network request for 'getUpdates' failed! (http://x/bot${TOKEN}/getUpdates)`,
        true,
      );
      r.failed('sendMessage', 'Network request for sendMessage failed! (ECONNREFUSED)', true);
      tick(100);
    }
    r.answered();
    r.answered();
    expect(msgs()).toEqual([
      expect.stringMatching(/^Telegram Bot API unreachable/),
      'Telegram Bot API reachable again after 10 s',
    ]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN.split(':')[1]);
  });

  it('stray 5xx answers among good ones are single failures, rate-limited per method, not an outage', () => {
    const { r, tick, msgs } = setup();
    for (let i = 0; i < 1_000; i++) {
      if (i % 10 === 0) r.failed('sendMessage', '500: Internal Server Error', false);
      else r.answered();
      tick(10);
    }
    expect(msgs().filter((m) => /unreachable|reachable again/.test(m))).toEqual([]);
    // 10 s of calls: one line per 5 s at most.
    expect(msgs()).toEqual(['Telegram Bot API call failed', 'Telegram Bot API call failed']);
  });

  it('5xx answers with no good one for a second are an outage', () => {
    const { r, tick, msgs } = setup();
    for (let i = 0; i < 20; i++) {
      r.failed('getUpdates', '502: Bad Gateway', false);
      tick(100);
    }
    r.answered();
    expect(msgs()).toEqual([
      'Telegram Bot API call failed',
      expect.stringMatching(/^Telegram Bot API unreachable/),
      'Telegram Bot API reachable again after 2 s',
    ]);
  });
});
