// Every variable the configuration reads, as per-area schema groups joined into one object in the
// order the variables have always had (error lines and CONFIG_VARIABLES follow that order).
import { z } from 'zod';
import { assistantFields, discordFields, telegramFields, ticketFields } from './config-fields-chat';
import {
  NODE_SOURCES,
  type NodeSourceKind,
  blankToUndefined,
  int,
  optional,
  rateLimits,
  url,
  withDefault,
} from './config-types';
import { simulatorShape } from './sim-shape';

const serviceFields = {
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
};

const nodeFields = {
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
};

const httpFields = {
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
};

const moderationFields = {
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
};

export const envObject = z.object({
  ...serviceFields,
  ...telegramFields,
  ...discordFields,
  ...ticketFields,
  ...assistantFields,
  ...nodeFields,
  ...httpFields,
  ...moderationFields,
});
