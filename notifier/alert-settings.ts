// Alert silencing: a user's /mute and a node's maintenance window. History is kept either
// way; only the messages stop.
import type { PrismaClient } from '@prisma/client';
import { WATCH_SEP } from '../accounts/node-networks';

export const MAX_SILENCE_MS = 30 * 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "90m", "2h", "1d12h", "1w" → ms; null when not a duration. */
export function parseDuration(input: string): number | null {
  const s = input.trim().toLowerCase();
  if (!/^(\d{1,4}[mhdw])+$/.test(s)) return null;
  let ms = 0;
  for (const m of s.matchAll(/(\d+)([mhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 ? ms : null;
}

export type SilenceResult = { ok: true; until: Date | null } | { ok: false; error: 'invalid' | 'not_yours' };

export class AlertSettings {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Current mute, or null. */
  async mutedUntil(userId: string): Promise<Date | null> {
    const u = await this.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    return u.mutedUntil && u.mutedUntil.getTime() > this.now() ? u.mutedUntil : null;
  }

  /** `input`: a duration (up to 30 days) or "off". */
  async mute(userId: string, input: string): Promise<SilenceResult> {
    const until = this.untilFrom(input);
    if (until === undefined) return { ok: false, error: 'invalid' };
    await this.prisma.user.update({ where: { id: userId }, data: { mutedUntil: until } });
    return { ok: true, until };
  }

  async maintenance(userId: string, externalId: string, input: string): Promise<SilenceResult> {
    const until = this.untilFrom(input);
    if (until === undefined) return { ok: false, error: 'invalid' };
    const res = await this.prisma.node.updateMany({
      // The user's own row, or their watch row of that device (`<device>~<user>`).
      where: { userId, OR: [{ externalId }, { externalId: { startsWith: `${externalId}${WATCH_SEP}` } }] },
      data: { maintenanceUntil: until },
    });
    return res.count === 0 ? { ok: false, error: 'not_yours' } : { ok: true, until };
  }

  /** Date for a duration, null for "off", undefined when the input is not valid. */
  private untilFrom(input: string): Date | null | undefined {
    const s = input.trim().toLowerCase();
    if (s === 'off') return null;
    const ms = parseDuration(s);
    if (!ms || ms > MAX_SILENCE_MS) return undefined;
    return new Date(this.now() + ms);
  }
}
