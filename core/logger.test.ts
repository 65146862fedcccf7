import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

describe('logger', () => {
  it('never writes configured secrets or secret fields', async () => {
    const out = capture();
    const token = '123456:AAE-very-secret-token';
    const logger = createLogger({ secrets: [token], destination: out.destination, level: 'debug' });
    logger.info({ url: `https://api.telegram.org/bot${token}/getMe` }, 'calling');
    logger.error({ err: { message: `401 for ${token}` } }, 'failed');
    logger.info({ headers: { authorization: 'Bearer node-token-xyz' }, token: 'plain-field' }, 'request');
    logger.flush();
    const all = out.lines.join('');
    expect(all).not.toContain(token);
    expect(all).not.toContain('node-token-xyz');
    expect(all).not.toContain('plain-field');
    expect(all).toContain('[REDACTED]');
  });
});
