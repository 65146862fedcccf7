import { Writable } from 'node:stream';
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

  it('pretty logs (a terminal) are readable lines, not JSON, and still scrubbed', () => {
    const out: string[] = [];
    const destination = new Writable({
      write: (chunk, _enc, cb) => (out.push(String(chunk)), cb()),
    });
    const token = '123456:AAE-another-secret-token';
    const logger = createLogger({ secrets: [token], destination, pretty: true });
    logger.warn({ url: `https://api.telegram.org/bot${token}/getMe` }, 'Redis connection back');
    const all = out.join('');
    expect(all).toMatch(/WARN.*Redis connection back/);
    expect(all).not.toMatch(/^\{"level"/m);
    expect(all).not.toContain(token);
  });

  it('logs JSON lines when not on a terminal', () => {
    const out = capture();
    createLogger({ destination: out.destination }).info('hello');
    expect(JSON.parse(out.lines.join(''))).toMatchObject({ level: 30, msg: 'hello' });
  });
});
