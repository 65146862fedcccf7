// The send budget of each bot token (notifier/delivery/pacing.ts), built in one place so
// every user of a token (the bots, the conversation port, delivery) paces by the same
// rules. `timeScale` shrinks every window for end-to-end tests, the way the emulators'
// own `timeScale`/`windowScale` do: a test of 200 Telegram topics would otherwise wait
// out Telegram's 20 messages per minute per group for half an hour. Production uses 1.
import type { Platform } from '@prisma/client';
import type { Redis } from 'ioredis';
import { PLATFORM_PACING, SendPacer, pacerKey, type PacingLimits } from '../notifier/delivery/pacing';

export type PacerFactory = (platform: Platform, token: string) => SendPacer;

export function scaledLimits(limits: PacingLimits, timeScale: number): PacingLimits {
  if (timeScale === 1) return limits;
  return {
    perSecond: limits.perSecond / timeScale,
    chat: (id) => {
      const rule = limits.chat(id);
      return rule ? { limit: rule.limit, windowMs: rule.windowMs * timeScale } : null;
    },
  };
}

export function pacerFactory(redis: Redis, prefix: string, timeScale = 1): PacerFactory {
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`pacing time scale ${timeScale} is not in (0, 1]`);
  return (platform, token) =>
    new SendPacer(
      redis,
      pacerKey(prefix, platform, token),
      scaledLimits(PLATFORM_PACING[platform], timeScale),
    );
}
