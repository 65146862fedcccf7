import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { CONFIG_VARIABLES, ConfigError, parseConfig } from './config';

const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' };

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = parseConfig(base);
    expect(c).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'nodedesk',
      HTTP_PORT: 8080,
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      DISCORD_API_BASE: 'https://discord.com/api',
      NODE_SOURCE: ['push'],
      OFFLINE_GRACE_SECONDS: 120,
      ALERT_GROUP_WAIT_SECONDS: 30,
      HEARTBEAT_INTERVAL_SECONDS: 30,
      DISCORD_STAFF_ROLE_IDS: [],
    });
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('treats blank values as unset', () => {
    expect(parseConfig({ ...base, TELEGRAM_BOT_TOKEN: '', HTTP_PORT: ' ' }).HTTP_PORT).toBe(8080);
  });

  it('parses lists and numbers', () => {
    const c = parseConfig({
      ...base,
      NODE_SOURCE: 'push, poll,push',
      NODE_SOURCE_URL: 'http://127.0.0.1:9000',
      DISCORD_STAFF_ROLE_IDS: '111, 222',
      HTTP_PORT: '0',
      OFFLINE_GRACE_SECONDS: '8',
    });
    expect(c.NODE_SOURCE).toEqual(['push', 'poll']);
    expect(c.DISCORD_STAFF_ROLE_IDS).toEqual(['111', '222']);
    expect(c.HTTP_PORT).toBe(0);
    // Unset heartbeat interval follows a short grace time.
    expect(c.HEARTBEAT_INTERVAL_SECONDS).toBe(2);
  });

  const cases: Array<[string, Record<string, string>, string, RegExp]> = [
    ['missing DATABASE_URL', {}, 'DATABASE_URL', /is required \(example: postgresql:\/\//],
    [
      'DATABASE_URL of another database',
      { DATABASE_URL: 'mysql://x@y/z' },
      'DATABASE_URL',
      /postgresql:\/\//,
    ],
    ['DATABASE_URL not a URL', { DATABASE_URL: 'not a url' }, 'DATABASE_URL', /example/],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL', /redis:\/\/ or rediss:\/\/ URL/],
    ['QUEUE_PREFIX', { QUEUE_PREFIX: 'has space' }, 'QUEUE_PREFIX', /letters, digits/],
    ['HTTP_PORT text', { HTTP_PORT: 'eighty' }, 'HTTP_PORT', /whole number \(example: 8080\)/],
    ['HTTP_PORT range', { HTTP_PORT: '70000' }, 'HTTP_PORT', /between 0 and 65535/],
    ['TELEGRAM_BOT_TOKEN', { TELEGRAM_BOT_TOKEN: 'nocolon' }, 'TELEGRAM_BOT_TOKEN', /BotFather/],
    ['TELEGRAM_API_ROOT', { TELEGRAM_API_ROOT: 'ftp://x' }, 'TELEGRAM_API_ROOT', /http:\/\/ or https:\/\//],
    ['TELEGRAM_STAFF_CHAT_ID', { TELEGRAM_STAFF_CHAT_ID: '@staff' }, 'TELEGRAM_STAFF_CHAT_ID', /chat id/],
    ['DISCORD_TOKEN', { DISCORD_TOKEN: 'short' }, 'DISCORD_TOKEN', /too short/],
    ['DISCORD_APPLICATION_ID', { DISCORD_APPLICATION_ID: 'app' }, 'DISCORD_APPLICATION_ID', /Discord id/],
    ['DISCORD_GUILD_ID', { DISCORD_GUILD_ID: '12a' }, 'DISCORD_GUILD_ID', /Discord id/],
    ['DISCORD_API_BASE', { DISCORD_API_BASE: 'discord.com' }, 'DISCORD_API_BASE', /URL/],
    ['DISCORD_STAFF_ROLE_IDS', { DISCORD_STAFF_ROLE_IDS: '1,mods' }, 'DISCORD_STAFF_ROLE_IDS', /role ids/],
    ['DISCORD_MOD_CHANNEL_ID', { DISCORD_MOD_CHANNEL_ID: '#mods' }, 'DISCORD_MOD_CHANNEL_ID', /Discord id/],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'localhost:1234' }, 'OPENAI_BASE_URL', /URL/],
    [
      'NODE_SOURCE',
      { NODE_SOURCE: 'push,carrier-pigeon' },
      'NODE_SOURCE',
      /push, poll, simulator, ionet, nosana or akash/,
    ],
    [
      'poll without URL',
      { NODE_SOURCE: 'poll' },
      'NODE_SOURCE_URL',
      /required when NODE_SOURCE includes poll/,
    ],
    ['NODE_SOURCE_URL', { NODE_SOURCE_URL: 'nope' }, 'NODE_SOURCE_URL', /URL/],
    ['OFFLINE_GRACE_SECONDS', { OFFLINE_GRACE_SECONDS: '0' }, 'OFFLINE_GRACE_SECONDS', /between 1 and/],
    [
      'ALERT_GROUP_WAIT_SECONDS',
      { ALERT_GROUP_WAIT_SECONDS: '-1' },
      'ALERT_GROUP_WAIT_SECONDS',
      /between 0 and/,
    ],
    [
      'HEARTBEAT_INTERVAL_SECONDS',
      { HEARTBEAT_INTERVAL_SECONDS: '1.5' },
      'HEARTBEAT_INTERVAL_SECONDS',
      /whole number/,
    ],
    [
      'heartbeat slower than grace',
      { HEARTBEAT_INTERVAL_SECONDS: '200', OFFLINE_GRACE_SECONDS: '120' },
      'HEARTBEAT_INTERVAL_SECONDS',
      /shorter than OFFLINE_GRACE_SECONDS/,
    ],
  ];

  it.each(cases)('%s gives one clear line naming the variable', (_label, env, variable, message) => {
    const env2 = 'DATABASE_URL' in env || _label === 'missing DATABASE_URL' ? env : { ...base, ...env };
    const lines = problems(env2);
    const mine = lines.filter((l) => l.startsWith(`${variable}: `));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(message);
    // Every line is a single human sentence: no stack, no JSON.
    for (const l of lines) expect(l).not.toMatch(/\n|at .*\(.*:\d+|\{"/);
  });

  it('reports every problem at once', () => {
    const lines = problems({ HTTP_PORT: 'x', REDIS_URL: 'y' });
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'HTTP_PORT', 'REDIS_URL']);
  });

  it('reports cross-field problems together with the other errors, in one go', () => {
    const lines = problems({
      HTTP_PORT: 'x',
      NODE_SOURCE: 'poll',
      TELEGRAM_WEBHOOK_URL: 'https://a.example/w',
    });
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'HTTP_PORT',
      'NODE_SOURCE_URL',
      'TELEGRAM_WEBHOOK_SECRET',
    ]);
    expect(lines.find((l) => l.startsWith('NODE_SOURCE_URL'))).toMatch(
      /required when NODE_SOURCE includes poll/,
    );
  });

  it('a variable that is itself invalid gets its own error, not a second cross-field one', () => {
    const lines = problems({ ...base, NODE_SOURCE: 'poll', NODE_SOURCE_URL: 'nope' });
    expect(lines).toEqual([expect.stringMatching(/^NODE_SOURCE_URL: must be a http/)]);
  });

  it('.env.example lists every variable the configuration reads, and parses as it stands', () => {
    const text = fs.readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
    const listed = Object.keys(dotenv.parse(text));
    expect(CONFIG_VARIABLES.filter((v) => !listed.includes(v))).toEqual([]);
    expect(listed.filter((v) => !CONFIG_VARIABLES.includes(v))).toEqual([]);
    expect(() => parseConfig(dotenv.parse(text))).not.toThrow();
  });
});
