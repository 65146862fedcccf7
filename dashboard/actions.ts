// Staff actions taken on the dashboard: the same domain calls the chat buttons make
// (TicketLifecycle, TicketRelay, CaseActions, Assistant.publish), checked against the
// signed-in person's current roles and audited as `staff.<feature>.<action>` with
// `via: dashboard`, the way bots/shared/router.ts records chat actions. The domain
// services write their own rows too (ticket.claim, case events, kb versions), as from chat.
import crypto from 'node:crypto';
import type { Ticket } from '@prisma/client';
import { allows, type Permission, type StaffRole } from '../core/feature';
import { TicketError } from '../ticketing/errors';
import type { Actor as TicketActor } from '../ticketing/actor';
import type { ActionResult } from '../moderation/actions';
import type { PublishOutcome } from '../assistant/service';
import type { DashboardDeps } from './deps';
import type { StaffPrincipal } from './store';

export class Forbidden extends Error {
  constructor(readonly permission: Permission) {
    super(`needs ${permission}`);
  }
}

export interface Signed {
  who: StaffPrincipal;
  roles: ReadonlySet<StaffRole>;
}

export class DashboardActions {
  constructor(private readonly deps: DashboardDeps) {}

  private async act<T>(
    s: Signed,
    permission: Permission,
    audit: { feature: string; action: string; subjectType: string; subjectId: string },
    work: () => Promise<T>,
    changed: (r: T) => boolean = () => true,
  ): Promise<T> {
    if (!allows(permission, s.roles)) throw new Forbidden(permission);
    const result = await work();
    if (changed(result))
      await this.deps.audit({
        action: `staff.${audit.feature}.${audit.action}`,
        subjectType: audit.subjectType,
        subjectId: audit.subjectId,
        actorUserId: s.who.userId,
        actorIdentityId: s.who.identityId,
        details: { via: 'dashboard' },
      });
    return result;
  }

  private ticketActor(s: Signed): TicketActor {
    return {
      identityId: s.who.identityId,
      userId: s.who.userId,
      platform: s.who.platform,
      name: s.who.name,
      role: s.roles.has('moderator') ? 'moderator' : 'staff',
      // Not written in the ticket's thread: the domain tells the thread what was done.
      via: 'dashboard',
    };
  }

  async ticket(number: number): Promise<Ticket> {
    const t = Number.isSafeInteger(number)
      ? await this.deps.prisma.ticket.findUnique({ where: { number } })
      : null;
    if (!t) throw new TicketError('not_found');
    return t;
  }

  private onTicket<T>(s: Signed, action: string, t: Ticket, work: () => Promise<T>): Promise<T> {
    return this.act(s, 'staff', { feature: 'tickets', action, subjectType: 'ticket', subjectId: t.id }, work);
  }

  /** Bulk claim: each ticket on its own (a closed one fails alone); returns how many were claimed. */
  async claim(s: Signed, numbers: number[]): Promise<{ claimed: number; errors: string[] }> {
    let claimed = 0;
    const errors: string[] = [];
    for (const n of numbers.slice(0, 100)) {
      try {
        const t = await this.ticket(n);
        await this.onTicket(s, 'claim', t, () =>
          this.deps.tickets.lifecycle.claim(this.ticketActor(s), t.id),
        );
        claimed++;
      } catch (err) {
        if (err instanceof Forbidden) throw err;
        errors.push(`#${n}: ${(err as Error).message}`);
      }
    }
    return { claimed, errors };
  }

  /** A reply the user gets in their DM (the ticket relay's flush delivers it). */
  async reply(s: Signed, number: number, body: string): Promise<void> {
    const t = await this.ticket(number);
    if (!body.trim()) throw new TicketError('bad_answer');
    await this.onTicket(s, 'reply', t, () =>
      this.deps.tickets.relay.fromStaff(this.ticketActor(s), t, { sourceKey: webKey(), text: body }),
    );
  }

  async note(s: Signed, number: number, body: string): Promise<void> {
    const t = await this.ticket(number);
    await this.onTicket(s, 'note', t, () =>
      this.deps.tickets.relay.note(this.ticketActor(s), t, { sourceKey: webKey(), text: body }),
    );
  }

  async close(s: Signed, number: number, reason: string): Promise<{ requested: boolean }> {
    const t = await this.ticket(number);
    return this.onTicket(s, 'close', t, () =>
      this.deps.tickets.lifecycle.close(this.ticketActor(s), t.id, reason.trim() || null),
    );
  }

  /** Confirm or dismiss a case: moderators only, as the card's buttons. The card job edits the card. */
  decide(s: Signed, number: number, decision: 'confirm' | 'dismiss'): Promise<ActionResult> {
    return this.act(
      s,
      'moderator',
      { feature: 'moderation', action: decision, subjectType: 'moderation_case', subjectId: `C${number}` },
      () =>
        this.deps.moderation.actions.decide(
          number,
          { userId: s.who.userId, identityId: s.who.identityId, name: s.who.name },
          decision,
        ),
      (r) => r.ok,
    );
  }

  publish(s: Signed, text: string): Promise<PublishOutcome> {
    return this.act(
      s,
      'staff',
      { feature: 'assistant', action: 'kb', subjectType: 'kb', subjectId: 'publish' },
      // The layer (this class) writes the staff row; the store keeps the version's author.
      () =>
        this.deps.assistant.publish(text, {
          userId: s.who.userId,
          identityId: s.who.identityId,
          audit: false,
        }),
      (r) => r.kind === 'published',
    );
  }
}

/** Web messages have no platform message id: a random key keeps them unique. */
const webKey = () => `web:dashboard:${crypto.randomUUID()}`;
