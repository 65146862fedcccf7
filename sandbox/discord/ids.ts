import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1420070400000n;
let last = 0n;

/**
 * A real-looking snowflake: 18-19 digits and increasing, because @discordjs/rest only
 * recognises `\d{17,19}` as ids when it groups requests into rate-limit buckets, and
 * it reads message age from the timestamp bits (bulk-delete cut-off).
 */
export function snowflake(at = Date.now()): string {
  let id = ((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n);
  if (id <= last) id = last + 1n;
  last = id;
  return id.toString();
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Interaction tokens are opaque and URL-safe; discord.js puts them straight into paths. */
export function interactionToken(): string {
  return `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`;
}
