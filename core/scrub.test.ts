// The one scrubber: every secret shape we hand out or hold is masked wherever it appears.
import { scrub } from './scrub';

describe('scrub', () => {
  it('masks bot tokens in Bot API paths, heartbeat tokens, keys, URL passwords and sign-in links', () => {
    const link = 'https://desk.example.org/signin/q2Vb8rT0xY1zA3cD5eF7gH9iJ1kL3mN5oP7qR9sT1uV';
    const text = [
      'POST http://127.0.0.1:1/bot123456:AAEabcdefghijklmnopqrstuvwxyz012345/getMe',
      'token ndk_abcdefghijklmnop',
      'key sk-abcdefghijklmnopqrstu',
      'redis://:hunter2pass@127.0.0.1:6379',
      `link ${link}`,
    ].join('\n');
    const out = scrub(text);
    for (const secret of [
      'AAEabcdefghij',
      'ndk_abcdefghijklmnop',
      'sk-abcdefghijklmnopqrstu',
      'hunter2pass',
      'q2Vb8rT0xY1z',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('https://desk.example.org/signin/[REDACTED]');
    expect(out).toContain('/bot[REDACTED]/getMe');
  });
});
