// The value types the configuration's variables are made of (URLs, numbers, durations, id lists):
// kept apart from the variable list so each file reads as one thing.
import { z } from 'zod';

export const NODE_SOURCES = ['push', 'poll', 'simulator', 'ionet', 'nosana', 'akash'] as const;
export type NodeSourceKind = (typeof NODE_SOURCES)[number];

/** An env var is "unset" when missing or blank; blank lines in .env files are common. */
export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export function url(protocols: string[], example: string) {
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

export function int(min: number, max: number, example: string) {
  return z
    .string()
    .regex(/^\s*-?\d+\s*$/, { message: `must be a whole number (example: ${example})` })
    .transform((v) => Number(v))
    .refine((n) => n >= min && n <= max, {
      message: `must be between ${min} and ${max} (example: ${example})`,
    });
}

/** `name:count/seconds` pairs, e.g. `overall:150/10,summary:100/300` (a request budget). */
export function rateLimits() {
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

export const snowflake = (example = '1234567890123456789') =>
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

export const duration = (example: string) =>
  z
    .string()
    .refine((v) => parseDurationMs(v) !== null, {
      message: `must be a duration such as 90s, 15m, 2h or 7d (example: ${example})`,
    })
    .transform((v) => parseDurationMs(v)!);

/** TICKETS_SLA: `<priority>=<first response>/<resolution>` pairs, e.g. `urgent=15m/4h,high=1h/8h`. */
export const slaSpec = z.string().transform((v, ctx) => {
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
export const guildChannels = z.string().transform((v, ctx) => {
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

export const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess(blankToUndefined, schema.optional());
export const withDefault = <T extends z.ZodTypeAny>(schema: T, def: string) =>
  z.preprocess((v) => blankToUndefined(v) ?? def, schema);

/** A comma list of Discord role ids (blank = none), as an array. */
export const roleIdList = () =>
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
