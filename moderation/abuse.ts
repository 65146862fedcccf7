// Abuse resistance for reports: a rate limit per reporter (per hour) and a daily cap, both
// in Redis so every process shares them; moderators' bars; account age (young accounts
// weigh less and count toward the brigading flag); reputation from past outcomes.
import type { PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { reputationWeight } from './signals';

export interface AbuseRules {
  perHour: number;
  perDay: number;
  /** Accounts younger than this count as "young" (weight halved, brigading flag). */
  youngAccountHours: number;
  /** Reports on one case within this window are looked at together for brigading. */
  brigadeWindowMinutes: number;
  /** This many young reporters, or reporters whose accounts were created within an hour of each other, flag it. */
  brigadeMinReports: number;
}

export const DEFAULT_ABUSE_RULES: AbuseRules = {
  perHour: 10,
  perDay: 30,
  youngAccountHours: 72,
  brigadeWindowMinutes: 10,
  brigadeMinReports: 5,
};

export type QuotaResult = { ok: true } | { ok: false; limit: 'hour' | 'day'; retryAt: Date };

export class ReportQuota {
  private readonly hour: RateLimiterRedis;
  private readonly day: RateLimiterRedis;

  constructor(redis: Redis, prefix: string, rules: Pick<AbuseRules, 'perHour' | 'perDay'>) {
    this.hour = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rl:report-hour`,
      points: rules.perHour,
      duration: 3600,
    });
    this.day = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rl:report-day`,
      points: rules.perDay,
      duration: 86_400,
    });
  }

  /** Takes one report from both budgets, or neither. */
  async take(userId: string, now = Date.now()): Promise<QuotaResult> {
    const refused = (limit: 'hour' | 'day', err: unknown): QuotaResult => {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { ok: false, limit, retryAt: new Date(now + Math.max(1000, err.msBeforeNext)) };
    };
    try {
      await this.hour.consume(userId);
    } catch (err) {
      return refused('hour', err);
    }
    try {
      await this.day.consume(userId);
    } catch (err) {
      // The hour budget was taken for a report that is refused: give it back.
      await this.hour.reward(userId).catch(() => {});
      return refused('day', err);
    }
    return { ok: true };
  }
}

const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * When the reporter's account was created: a Discord id carries its creation time; for
 * Telegram, whose ids do not, the first time the person used the bot.
 */
export function accountCreatedAt(platform: string, platformUserId: string, firstSeen: Date): Date {
  if (platform === 'DISCORD' && /^\d{15,20}$/.test(platformUserId)) {
    const ms = Number((BigInt(platformUserId) >> 22n) + DISCORD_EPOCH);
    if (ms > 1_420_070_400_000 && ms <= Date.now() + 60_000)
      return new Date(Math.min(ms, firstSeen.getTime()));
  }
  return firstSeen;
}

export class ReporterStandings {
  constructor(private readonly prisma: PrismaClient) {}

  async get(userId: string) {
    const row = await this.prisma.reporterStanding.findUnique({ where: { userId } });
    return {
      confirmed: row?.confirmed ?? 0,
      dismissed: row?.dismissed ?? 0,
      weight: reputationWeight(row?.confirmed ?? 0, row?.dismissed ?? 0),
      barred: row?.barredAt ? { at: row.barredAt, by: row.barredByName, reason: row.barReason } : null,
    };
  }

  /** Bars a user from reporting; returns false when they already were barred. */
  async bar(userId: string, byName: string, reason: string | null): Promise<boolean> {
    const res = await this.prisma.reporterStanding.updateMany({
      where: { userId, barredAt: null },
      data: { barredAt: new Date(), barredByName: byName, barReason: reason },
    });
    if (res.count === 1) return true;
    const existing = await this.prisma.reporterStanding.findUnique({ where: { userId } });
    if (existing) return false;
    try {
      await this.prisma.reporterStanding.create({
        data: { userId, barredAt: new Date(), barredByName: byName, barReason: reason },
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return this.bar(userId, byName, reason);
      throw err;
    }
  }

  async unbar(userId: string): Promise<boolean> {
    const res = await this.prisma.reporterStanding.updateMany({
      where: { userId, NOT: { barredAt: null } },
      data: { barredAt: null, barredByName: null, barReason: null },
    });
    return res.count === 1;
  }
}

export interface BrigadeReport {
  reporterUserId: string;
  youngAccount: boolean;
  accountCreatedAt: Date;
  createdAt: Date;
}

export interface BrigadeFlag {
  reports: number;
  young: number;
  /** Largest group of reporters whose accounts were created within one hour of each other. */
  closeTogether: number;
  windowMinutes: number;
  youngAccountHours: number;
}

/** A burst of reports (within the window before the latest) from young or close-together accounts. */
export function brigadeCheck(reports: BrigadeReport[], rules: AbuseRules): BrigadeFlag | null {
  if (reports.length === 0) return null;
  const latest = Math.max(...reports.map((r) => r.createdAt.getTime()));
  const windowStart = latest - rules.brigadeWindowMinutes * 60_000;
  const byReporter = new Map<string, BrigadeReport>();
  for (const r of reports) if (r.createdAt.getTime() >= windowStart) byReporter.set(r.reporterUserId, r);
  const people = [...byReporter.values()];
  const young = people.filter((p) => p.youngAccount).length;
  const created = people.map((p) => p.accountCreatedAt.getTime()).sort((a, b) => a - b);
  let closeTogether = 0;
  for (let i = 0, j = 0; j < created.length; j++) {
    while (created[j]! - created[i]! > 3_600_000) i++;
    closeTogether = Math.max(closeTogether, j - i + 1);
  }
  if (young < rules.brigadeMinReports && closeTogether < rules.brigadeMinReports) return null;
  return {
    reports: people.length,
    young,
    closeTogether,
    windowMinutes: rules.brigadeWindowMinutes,
    youngAccountHours: rules.youngAccountHours,
  };
}
