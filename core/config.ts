// Environment configuration, validated once at start. Every problem is reported on its
// own line (variable, what is wrong, an example) so an operator can fix all of them in one go.
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { envObject } from './config-fields';

export { parseDurationMs, type NodeSourceKind } from './config-types';

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
