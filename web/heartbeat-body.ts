// Shapes of the heartbeat API bodies, and the checks of what an agent reports. Authentication
// comes first (see heartbeat.ts): these schemas only ever answer a caller holding a valid token.
import { z } from 'zod';

export const MAX_BATCH = 1_000;
/** A beat stamped further in the future than this is refused (clock wrong by minutes). */
export const MAX_FUTURE_SKEW_MS = 60_000;

// Control (Cc), format (Cf: bidi overrides, zero-width joiners, BOM), separators other than
// a plain space, and unassigned/private-use characters: never stored, because moderators
// compare GPU model strings by eye and an invisible character makes two cards look alike.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu;

/** NFKC, invisible characters removed, runs of white space as one space, trimmed. */
export function normalizeLabel(s: string): string {
  return s.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
}

const label = z
  .string()
  .max(128)
  .transform(normalizeLabel)
  .pipe(z.string().min(1, { message: 'is empty once invisible characters are removed' }));

const gpu = z.object({ model: label, uuid: label }).strict();
export const beatFields = {
  node_id: z.string().min(1).max(128),
  status: z.enum(['online', 'offline']),
  gpus: z.array(gpu).max(64).optional(),
  /** When the agent took the reading; older readings never move last-seen forward past it. */
  sent_at: z.iso.datetime({ offset: true }).optional(),
};
export const singleBeat = z.object(beatFields).strict();
export const batchItem = z.object({ token: z.string().min(1).max(512), ...beatFields }).strict();
/** Only the envelope: each item is checked on its own, after its token is. */
export const batchEnvelope = z.object({ heartbeats: z.array(z.unknown()).min(1).max(MAX_BATCH) }).strict();

export type Beat = z.infer<typeof batchItem>;

/** The token of a batch item, read before the item's shape is judged. */
export function itemToken(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const t = (item as { token?: unknown }).token;
  return typeof t === 'string' && t.length > 0 && t.length <= 512 ? t : null;
}

export function itemNodeId(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const n = (item as { node_id?: unknown }).node_id;
  return typeof n === 'string' ? n.slice(0, 128) : null;
}

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export type ClockVerdict = { ok: true; at: number } | { ok: false; error: 'clock_in_future' | 'stale' };

/**
 * When the reading counts as seen: never later than our clock (a fast agent clock cannot
 * keep a node "online"); refused when minutes ahead; and "stale" when older than the grace
 * time, because then it changes nothing and the agent must be told so.
 */
export function readingTime(sentAt: string | undefined, now: number, graceMs: number): ClockVerdict {
  if (!sentAt) return { ok: true, at: now };
  const sent = Date.parse(sentAt);
  if (sent > now + MAX_FUTURE_SKEW_MS) return { ok: false, error: 'clock_in_future' };
  if (sent <= now - graceMs) return { ok: false, error: 'stale' };
  return { ok: true, at: Math.min(sent, now) };
}
