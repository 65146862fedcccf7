// Environment configuration, validated once at start. Every problem is reported on its
// own line (variable, what is wrong, an example) so an operator can fix all of them in one go.
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { simulatorShape } from './sim-shape';

const NODE_SOURCES = ['push', 'poll', 'simulator', 'ionet', 'nosana', 'akash'] as const;
export type NodeSourceKind = (typeof NODE_SOURCES)[number];

/** An env var is "unset" when missing or blank; blank lines in .env files are common. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

function url(protocols: string[], example: string) {
  return z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    {
      message: `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL (example: ${example})`,
    },
  );
}

function int(min: number, max: number, example: string) {
  return z
    .string()
    .regex(/^\s*-?\d+\s*$/, { message: `must be a whole number (example: ${example})` })
    .transform((v) => Number(v))
    .refine((n) => n >= min && n <= max, {
      message: `must be between ${min} and ${max} (example: ${example})`,
    });
}

/** `name:count/seconds` pairs, e.g. `overall:150/10,summary:100/300` (a request budget). */
function rateLimits() {
  const pair = /^([a-z_]+):(\d{1,6})\/(\d{1,6})$/;
  return z
    .string()
    .refine((v) => v.split(',').every((p) => pair.test(p.trim()) && !/:0\/|\/0$/.test(p.trim())), {
      message:
        'must be a comma list of name:count/seconds, counts and seconds above 0 (example: overall:150/10)',
    })
    .transform((v) =>
      v.split(',').map((p) => {
        const [, name, count, seconds] = pair.exec(p.trim())!;
        return { name: name!, limit: Number(count), windowMs: Number(seconds) * 1000 };
      }),
    );
}

const snowflake = (example = '1234567890123456789') =>
  z.string().regex(/^\d{1,20}$/, { message: `must be a Discord id, digits only (example: ${example})` });

/** "90s", "15m", "2h", "7d", "1d12h" → milliseconds (tests shorten ticket timers to seconds). */
export function parseDurationMs(input: string): number | null {
  const s = input.trim().toLowerCase();
  if (!/^(\d{1,6}(ms|s|m|h|d))+$/.test(s)) return null;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(m[1]) * unit[m[2]!]!;
  return ms > 0 ? ms : null;
}

const duration = (example: string) =>
  z
    .string()
    .refine((v) => parseDurationMs(v) !== null, {
      message: `must be a duration such as 90s, 15m, 2h or 7d (example: ${example})`,
    })
    .transform((v) => parseDurationMs(v)!);

/** TICKETS_SLA: `<priority>=<first response>/<resolution>` pairs, e.g. `urgent=15m/4h,high=1h/8h`. */
const slaSpec = z.string().transform((v, ctx) => {
  const out: Record<string, { firstMs: number; resolveMs: number }> = {};
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(low|normal|high|urgent)=([^/]+)\/(.+)$/i.exec(part);
    const first = m && parseDurationMs(m[2]!);
    const resolve = m && parseDurationMs(m[3]!);
    if (!m || !first || !resolve) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part.slice(0, 40)}" must be <priority>=<first response>/<resolution> (example: urgent=15m/4h,high=1h/8h)`,
      });
      return z.NEVER;
    }
    out[m[1]!.toUpperCase()] = { firstMs: first, resolveMs: resolve };
  }
  return out;
});

/** DISCORD_SUPPORT_CHANNELS: `<guild id>:<channel id>` pairs, one support channel per guild. */
const guildChannels = z.string().transform((v, ctx) => {
  const out: Record<string, string> = {};
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,20})\s*:\s*(\d{1,20})$/.exec(part);
    if (!m || out[m[1]!]) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part.slice(0, 45)}" must be <guild id>:<channel id>, each guild once (example: 111111111111111111:222222222222222222)`,
      });
      return z.NEVER;
    }
    out[m[1]!] = m[2]!;
  }
  return out;
});

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <T extends z.ZodTypeAny>(schema: T, def: string) =>
  z.preprocess((v) => blankToUndefined(v) ?? def, schema);

/** A comma list of Discord role ids (blank = none), as an array. */
const roleIdList = () =>
  withDefault(
    z
      .string()
      .regex(/^\s*(\d{1,20}\s*(,\s*\d{1,20}\s*)*)?$/, {
        message:
          'must be a comma-separated list of Discord role ids (example: 111111111111111111,222222222222222222)',
      })
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    '',
  );

const envObject = z.object({
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'is required (example: postgresql://postgres@127.0.0.1:5432/nodedesk)' })
      .pipe(url(['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/nodedesk')),
  ),
  REDIS_URL: withDefault(url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: withDefault(
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, {
      message: 'must be 1-64 letters, digits, "_", "-" or "." (example: nodedesk)',
    }),
    'nodedesk',
  ),
  HTTP_PORT: withDefault(int(0, 65535, '8080'), '8080'),
  PUBLIC_BASE_URL: optional(url(['http:', 'https:'], 'https://nodedesk.example.org')),
  /** How long a staff role lookup is trusted (bots and the dashboard); at most a minute. */
  STAFF_ROLE_CACHE_SECONDS: withDefault(int(1, 60, '60'), '60'),
  /** Lifetime of a staff dashboard session (hours). */
  DASHBOARD_SESSION_HOURS: withDefault(int(1, 168, '12'), '12'),
  LOG_LEVEL: withDefault(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent (example: info)',
    }),
    'info',
  ),

  TELEGRAM_BOT_TOKEN: optional(
    z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, {
      message: 'must look like <bot id>:<secret> as given by @BotFather (example: 123456789:AAE...)',
    }),
  ),
  TELEGRAM_API_ROOT: withDefault(
    url(['http:', 'https:'], 'https://api.telegram.org'),
    'https://api.telegram.org',
  ),
  TELEGRAM_STAFF_CHAT_ID: optional(
    z.string().regex(/^-?\d{1,20}$/, { message: 'must be a Telegram chat id (example: -1001234567890)' }),
  ),
  TELEGRAM_WEBHOOK_URL: optional(url(['https:', 'http:'], 'https://nodedesk.example.org/telegram/webhook')),
  TELEGRAM_WEBHOOK_SECRET: optional(
    z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, {
      message: 'must be 1-256 letters, digits, "_" or "-" (example: s3cr3t_value)',
    }),
  ),

  DISCORD_TOKEN: optional(
    z.string().min(20, { message: 'is too short to be a Discord bot token (example: MTA...abc.def.ghi)' }),
  ),
  DISCORD_APPLICATION_ID: optional(snowflake()),
  DISCORD_GUILD_ID: optional(snowflake()),
  DISCORD_API_BASE: withDefault(
    url(['http:', 'https:'], 'https://discord.com/api'),
    'https://discord.com/api',
  ),
  DISCORD_STAFF_ROLE_IDS: roleIdList(),
  DISCORD_MOD_CHANNEL_ID: optional(snowflake()),
  // Moderator roles; empty = the staff roles (checked in bots/shared/roles.ts).
  DISCORD_MOD_ROLE_IDS: roleIdList(),

  // Support tickets (ticketing/).
  DISCORD_SUPPORT_CHANNEL_ID: optional(snowflake()),
  /** One support channel per guild; a guild not listed (and a ticket with no guild) uses DISCORD_SUPPORT_CHANNEL_ID. */
  DISCORD_SUPPORT_CHANNELS: withDefault(guildChannels, ''),
  /** Staff-only channel for closed-ticket transcripts; defaults to DISCORD_MOD_CHANNEL_ID. */
  TICKETS_LOG_CHANNEL_ID: optional(snowflake()),
  TICKETS_HOME: withDefault(
    z.enum(['own', 'discord', 'telegram'], { error: 'must be own, discord or telegram (example: own)' }),
    'own',
  ),
  TICKETS_CATEGORIES_FILE: optional(z.string()),
  TICKETS_MAX_OPEN: withDefault(int(1, 100, '3'), '3'),
  TICKETS_PER_HOUR: withDefault(int(1, 1_000, '5'), '5'),
  TICKETS_SLA: optional(slaSpec),
  /** Share of an SLA after which staff are warned, in percent. */
  TICKETS_SLA_WARN_PERCENT: withDefault(int(1, 99, '80'), '80'),
  TICKETS_IDLE_WARN_AFTER: withDefault(duration('48h'), '48h'),
  TICKETS_IDLE_CLOSE_AFTER: withDefault(duration('24h'), '24h'),
  TICKETS_REOPEN_WINDOW: withDefault(duration('7d'), '7d'),

  OPENAI_API_KEY: optional(z.string()),
  OPENAI_BASE_URL: optional(url(['http:', 'https:'], 'https://api.openai.com/v1')),
  OPENAI_MODEL: withDefault(z.string().min(1), 'gpt-4o-mini'),
  /** An AI answer not back by then is replaced by the retrieval answer. */
  ASSISTANT_AI_TIMEOUT_MS: withDefault(int(500, 120_000, '15000'), '15000'),

  NODE_SOURCE: withDefault(
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()))
      .refine(
        (list) => list.length > 0 && list.every((s) => (NODE_SOURCES as readonly string[]).includes(s)),
        {
          message:
            'must be push, poll, simulator, ionet, nosana or akash, or a comma list of them (example: push,ionet)',
        },
      )
      .transform((list) => [...new Set(list)] as NodeSourceKind[]),
    'push',
  ),
  NODE_SOURCE_URL: optional(url(['http:', 'https:'], 'https://api.network.example/v1')),
  // Real networks (notifier/sources): base URLs, optional io.net token, request budgets.
  IONET_API_URL: withDefault(
    url(['http:', 'https:'], 'https://api.io.solutions'),
    'https://api.io.solutions',
  ),
  IONET_API_TOKEN: optional(z.string().min(8, { message: 'is too short to be an io.net token' })),
  IONET_AUTH_HEADER: withDefault(
    z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be an HTTP header name (example: Token)' }),
    'Token',
  ),
  IONET_RATE_LIMITS: withDefault(rateLimits(), 'overall:150/10,summary:100/300,details:100/300'),
  NOSANA_NODE_URL_TEMPLATE: withDefault(
    z.string().refine((v) => v.includes('{node}') && /^https?:\/\//.test(v), {
      message: 'must be an http(s) URL containing {node} (example: https://{node}.node.k8s.prd.nos.ci)',
    }),
    'https://{node}.node.k8s.prd.nos.ci',
  ),
  NOSANA_DASHBOARD_URL: withDefault(
    url(['http:', 'https:'], 'https://dashboard.k8s.prd.nos.ci'),
    'https://dashboard.k8s.prd.nos.ci',
  ),
  NOSANA_RATE_LIMITS: withDefault(rateLimits(), 'overall:10/1'),
  AKASH_CONSOLE_API_URL: withDefault(
    url(['http:', 'https:'], 'https://console-api.akash.network'),
    'https://console-api.akash.network',
  ),
  AKASH_RATE_LIMITS: withDefault(rateLimits(), 'overall:5/1'),
  NODE_ID_PATTERN: optional(
    z.string().refine(
      (v) => {
        try {
          new RegExp(v);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid regular expression (example: ^[A-Za-z0-9_-]{8,64}$)' },
    ),
  ),
  OFFLINE_GRACE_SECONDS: withDefault(int(1, 86_400, '120'), '120'),
  ALERT_GROUP_WAIT_SECONDS: withDefault(int(0, 3_600, '30'), '30'),
  ALERT_UPDATE_INTERVAL_SECONDS: withDefault(int(0, 86_400, '300'), '300'),
  ALERT_REMINDER_AFTER_SECONDS: withDefault(int(60, 30 * 86_400, '3600'), '3600'),
  ALERT_REMINDER_EVERY_SECONDS: withDefault(int(60, 30 * 86_400, '86400'), '86400'),
  FLAP_THRESHOLD: withDefault(int(2, 1_000, '4'), '4'),
  FLAP_WINDOW_SECONDS: withDefault(int(60, 86_400, '1800'), '1800'),
  FLAP_STABLE_SECONDS: withDefault(int(60, 86_400, '1800'), '1800'),
  POLL_INTERVAL_SECONDS: withDefault(int(1, 3_600, '30'), '30'),
  /** NODE_SOURCE=simulator's fleet behaviour (notifier/sources/simulator.ts simulatorShape). */
  SIMULATOR_SHAPE: optional(
    z.string().superRefine((v, ctx) => {
      const shape = simulatorShape(v);
      if ('error' in shape)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `${shape.error} (example: period=30m,churn=0.3,down=5m,flapping=0.05,outages=10m+2m@0.3)`,
        });
    }),
  ),
  SWEEP_INTERVAL_MS: optional(int(100, 60_000, '5000')),
  /** A liveness event left unacknowledged this long by a dead worker is taken over. */
  LIVENESS_CLAIM_IDLE_MS: withDefault(int(500, 600_000, '10000'), '10000'),
  // Unset: derived from the grace time below, so a short grace (tests, demo) stays consistent.
  HEARTBEAT_INTERVAL_SECONDS: optional(int(1, 3_600, '30')),
  /** A mass silence of heartbeat nodes is held as "unknown" this long before alerts go out. */
  INGEST_HOLD_SECONDS: withDefault(int(0, 86_400, '600'), '600'),
  /** Client addresses from X-Forwarded-For: off unless a proxy you run sits in front. */
  TRUST_PROXY: withDefault(
    z
      .string()
      .regex(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
        message:
          'must be false, true, a hop count, or a comma list of proxy addresses/CIDRs (example: 10.0.0.0/8)',
      })
      .transform((v): boolean | number | string[] =>
        v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(/\s*,\s*/),
      ),
    'false',
  ),
  HTTP_REQUEST_TIMEOUT_SECONDS: withDefault(int(1, 600, '10'), '10'),
  HTTP_MAX_CONNECTIONS: withDefault(int(1, 1_000_000, '4096'), '4096'),
  /** Bearer token that /metrics and the detailed /healthz require (Prometheus `authorization`). */
  METRICS_TOKEN: optional(
    z.string().min(16, { message: 'must be at least 16 characters (example: a long random string)' }),
  ),
  /** A separate port for /metrics and the detailed /healthz, e.g. bound to a private network. */
  METRICS_PORT: optional(int(0, 65535, '9464')),
  /** How long start-up waits for the Telegram Bot API (getMe) before giving up. */
  TELEGRAM_STARTUP_TIMEOUT_SECONDS: withDefault(int(1, 600, '30'), '30'),

  // Moderation (fake-card reports): reporter limits, brigading flag, evidence thresholds.
  REPORTS_PER_HOUR: withDefault(int(1, 1_000, '10'), '10'),
  REPORTS_PER_DAY: withDefault(int(1, 10_000, '30'), '30'),
  REPORT_YOUNG_ACCOUNT_HOURS: withDefault(int(0, 24 * 365, '72'), '72'),
  REPORT_BRIGADE_MIN: withDefault(int(2, 1_000, '5'), '5'),
  REPORT_BRIGADE_WINDOW_MINUTES: withDefault(int(1, 1_440, '10'), '10'),
  MODERATION_MAX_GPUS_PER_IP: withDefault(int(1, 10_000, '16'), '16'),
  MODERATION_CARD_LOCALE: withDefault(
    z.enum(['en', 'zh'], { error: 'must be en or zh (example: en)' }),
    'en',
  ),
});

type EnvFields = z.output<typeof envObject>;

/**
 * Rules between variables. They run on every variable that parsed by itself, even when
 * others failed, so an operator sees these problems together with the rest (zod's own
 * refinements of an object run only once every field is valid).
 */
function crossFieldProblems(env: Partial<EnvFields>): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (env.NODE_SOURCE?.includes('poll') && !env.NODE_SOURCE_URL) {
    out.push({
      path: 'NODE_SOURCE_URL',
      message: 'is required when NODE_SOURCE includes poll (example: https://api.network.example/v1)',
    });
  }
  if (env.TELEGRAM_WEBHOOK_URL && !env.TELEGRAM_WEBHOOK_SECRET) {
    out.push({
      path: 'TELEGRAM_WEBHOOK_SECRET',
      message:
        'is required with TELEGRAM_WEBHOOK_URL, or anyone can post forged updates (example: a random 32-character string of letters and digits)',
    });
  }
  if (
    env.HEARTBEAT_INTERVAL_SECONDS !== undefined &&
    env.OFFLINE_GRACE_SECONDS !== undefined &&
    env.HEARTBEAT_INTERVAL_SECONDS >= env.OFFLINE_GRACE_SECONDS
  ) {
    out.push({
      path: 'HEARTBEAT_INTERVAL_SECONDS',
      message: `must be shorter than OFFLINE_GRACE_SECONDS (${env.OFFLINE_GRACE_SECONDS}), or every node looks offline between beats (example: 30)`,
    });
  }
  return out;
}

const envSchema = envObject
  .superRefine((env, ctx) => {
    for (const p of crossFieldProblems(env))
      ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
  })
  .transform((env) => ({
    ...env,
    HEARTBEAT_INTERVAL_SECONDS:
      env.HEARTBEAT_INTERVAL_SECONDS ?? Math.min(30, Math.max(1, Math.floor(env.OFFLINE_GRACE_SECONDS / 4))),
    // A drop is noticed within one sweep: keep it a small part of the grace time.
    SWEEP_INTERVAL_MS:
      env.SWEEP_INTERVAL_MS ??
      Math.min(5_000, Math.max(250, Math.floor((env.OFFLINE_GRACE_SECONDS * 1000) / 4))),
  }));

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment into a Config, or throws ConfigError with one line per problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'environment';
    // zod reports a missing optional-less string as "expected string": make it human.
    const message =
      issue.code === 'invalid_type' && !issue.message.startsWith('is ') ? 'is required' : issue.message;
    return `${name}: ${message}`;
  });
  // Cross-field rules on the variables that parsed alone (one line per variable at most).
  const parsed: Partial<Record<string, unknown>> = {};
  for (const [key, field] of Object.entries(envObject.shape)) {
    const one = (field as z.ZodTypeAny).safeParse(env[key]);
    if (one.success) parsed[key] = one.data;
  }
  for (const p of crossFieldProblems(parsed as Partial<EnvFields>)) {
    if (!problems.some((line) => line.startsWith(`${p.path}: `))) problems.push(`${p.path}: ${p.message}`);
  }
  throw new ConfigError(problems);
}

/** Reads `.env` (when present, never overriding the real environment) and parses. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = path.join(cwd, '.env');
  if (fs.existsSync(file))
    dotenv.config({ path: file, quiet: true, processEnv: env as Record<string, string> });
  return parseConfig(env);
}

/** Every secret value in the config, so the logger can scrub them wherever they appear. */
export function secretsOf(config: Config): string[] {
  return [
    config.TELEGRAM_BOT_TOKEN,
    config.DISCORD_TOKEN,
    config.OPENAI_API_KEY,
    config.TELEGRAM_WEBHOOK_SECRET,
    config.METRICS_TOKEN,
    config.IONET_API_TOKEN,
  ].filter((s): s is string => typeof s === 'string' && s.length >= 6);
}

/** Every variable the configuration reads (`.env.example` documents each; a test checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envObject.shape);
