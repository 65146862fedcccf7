// Where staff work a ticket (TICKETS_HOME) and how its staff-side thread or topic is named
// and indexed. `own` keeps each ticket on the platform it came from; `discord`/`telegram`
// send every ticket there, so one team can work both communities from one place.
import type { Platform } from '@prisma/client';
import type { ThreadRef } from '../core/conversation';

export type TicketsHome = 'own' | 'discord' | 'telegram';

/** The thread or topic where one ticket is worked (Telegram: staff chat + topic; Discord: support channel + thread). */
export type HomeRef = ThreadRef;

/** Unique per thread/topic: an incoming staff message finds its ticket with one indexed lookup. */
export function homeKey(ref: Pick<ThreadRef, 'platform' | 'chatId' | 'threadId'>): string {
  return `${ref.platform}:${ref.chatId}:${ref.threadId}`;
}

export function parseHomeRef(value: unknown): HomeRef | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if ((v.platform !== 'TELEGRAM' && v.platform !== 'DISCORD') || typeof v.chatId !== 'string') return null;
  if (typeof v.threadId !== 'string') return null;
  return { platform: v.platform, chatId: v.chatId, threadId: v.threadId };
}

/**
 * The platform a ticket opened on `opened` is worked on. A configured home that has no
 * staff place (no staff chat / support channel) falls back to the ticket's own platform,
 * and that to the other one, so a ticket always lands somewhere staff look.
 */
export function homePlatformFor(opened: Platform, home: TicketsHome, staffPlaces: Set<Platform>): Platform {
  const wanted: Platform = home === 'own' ? opened : home === 'discord' ? 'DISCORD' : 'TELEGRAM';
  if (staffPlaces.has(wanted)) return wanted;
  if (staffPlaces.has(opened)) return opened;
  return [...staffPlaces][0] ?? opened;
}

/** Topic and thread names hold the number first: staff search for "#123". Names stay within both platforms' limits. */
export function homeName(number: number, categoryLabel: string, userName: string): string {
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return `#${number} · ${clean(categoryLabel)} · ${clean(userName)}`.slice(0, 100);
}
