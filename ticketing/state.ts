// The ticket lifecycle: open → waiting for staff / waiting for user → resolved → closed,
// and back to waiting for staff on a reopen. Pure, so every path is unit-tested.
import type { TicketPriority, TicketState } from '@prisma/client';
import { TicketError } from './errors';

export type TicketEvent =
  | 'user_message'
  | 'staff_message'
  | 'close_request'
  | 'close'
  | 'reopen'
  /** The user answered a close request with "not solved yet". */
  | 'keep_open';

export const ACTIVE_STATES: TicketState[] = ['OPEN', 'WAITING_STAFF', 'WAITING_USER', 'RESOLVED'];

export function nextState(current: TicketState, event: TicketEvent): TicketState {
  if (current === 'CLOSED') {
    if (event === 'reopen') return 'WAITING_STAFF';
    throw new TicketError('closed');
  }
  switch (event) {
    case 'user_message':
      // A new ticket stays OPEN until staff answer: "waiting for staff" is a reply owed.
      return current === 'OPEN' ? 'OPEN' : 'WAITING_STAFF';
    case 'staff_message':
      return 'WAITING_USER';
    case 'close_request':
      return 'RESOLVED';
    case 'keep_open':
      return 'WAITING_STAFF';
    case 'close':
      return 'CLOSED';
    case 'reopen':
      throw new TicketError('not_closed');
  }
}

export const PRIORITIES: TicketPriority[] = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];

export function parsePriority(input: string): TicketPriority {
  const p = input.trim().toUpperCase();
  if ((PRIORITIES as string[]).includes(p)) return p as TicketPriority;
  throw new TicketError('bad_priority', { value: input.slice(0, 20), allowed: 'low, normal, high, urgent' });
}

/** Tags are short labels staff type: lower-case letters, digits and dashes. */
export function parseTags(input: string): string[] {
  const tags = input
    .split(/[\s,]+/)
    .map((t) => t.trim().toLowerCase().replace(/^#/, ''))
    .filter(Boolean);
  for (const t of tags)
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(t)) throw new TicketError('bad_tag', { tag: t.slice(0, 40) });
  return [...new Set(tags)];
}
