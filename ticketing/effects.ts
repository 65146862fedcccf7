// The ticket effects worker: opens each ticket's staff thread/topic with its context card,
// relays stored messages to the other side in order, edits relayed copies, and carries out
// what closing, reopening and notices need. Every step is recorded (home ref, relayedAt,
// per-step flags), so a retried job repeats nothing that already went out.
import { Prisma, type Platform, type PrismaClient, type Ticket, type TicketMessage } from '@prisma/client';
import { DelayedError, type Job } from 'bullmq';
import type { MessageRef, PortResult } from '../core/conversation';
import { resolveLocale } from '../core/i18n';
import type { Logger } from '../core/logger';
import type { QueueHub, TicketEffectJob } from '../core/queue';
import { localize, type Categories } from './categories';
import { loadContextCard, renderContextCard, type NodeStatusSource } from './context-card';
import { homeKey, homeName, parseHomeRef, type HomeRef } from './home';
import { TicketLocks } from './lock';
import type { TicketPort } from './port';
import { staffReplyForUser, userMessageForStaff } from './render';
import { userInHome } from './relay';
import { runCloseSteps, runNotice } from './effects-close';
import type { IdentityService } from '../accounts/identity';
import { markRelayed, pendingMessages, type PendingMessage } from './relay-sql';
import type pg from 'pg';

export interface EffectsDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  hub: QueueHub;
  port: TicketPort;
  categories: Categories;
  status: NodeStatusSource;
  logger: Logger;
  /** Identity writes go through IdentityService (one owner per write). */
  identities: Pick<IdentityService, 'markUnreachable'>;
  concurrency?: number;
  /** Observed by tests and the benchmark: a message reached the other side. */
  onRelayed?: (m: TicketMessage, ref: MessageRef) => void;
}

/** A platform answer that means "try later": the job is re-queued without spending an attempt. */
export class RetryLater extends Error {
  constructor(readonly afterMs: number) {
    super('retry later');
  }
}

/** Unwraps a port result: transient failures throw (BullMQ retries), rate limits wait. */
export function must<T>(r: PortResult<T>, what: string): T | { failed: string; blocked: boolean } {
  if (r.ok) return r.value;
  if (r.kind === 'rate_limited') throw new RetryLater(r.retryAfterMs);
  if (r.kind === 'transient') throw new Error(`${what}: ${r.detail}`);
  return { failed: r.detail, blocked: r.kind === 'blocked' };
}

export const isFailure = (v: unknown): v is { failed: string; blocked: boolean } =>
  !!v && typeof v === 'object' && 'failed' in v;

export class TicketEffects {
  private readonly locks: TicketLocks;

  constructor(readonly deps: EffectsDeps) {
    this.locks = new TicketLocks(deps.hub.redis, deps.hub.prefix);
  }

  start() {
    const worker = this.deps.hub.worker('ticket-effect', (job, token) => this.handle(job, token), {
      concurrency: this.deps.concurrency ?? 16,
    });
    return worker;
  }

  async handle(job: Job<TicketEffectJob>, token?: string): Promise<unknown> {
    try {
      const res = await this.locks.with(job.data.ticketId, () => this.run(job.data));
      if (res.locked) throw new RetryLater(25 + Math.floor(Math.random() * 50));
      return res.value;
    } catch (err) {
      if (err instanceof RetryLater) {
        await job.moveToDelayed(Date.now() + err.afterMs, token);
        throw new DelayedError();
      }
      throw err;
    }
  }

  /** Runs one effect; exported for tests that drive it without a worker. */
  async run(e: TicketEffectJob): Promise<unknown> {
    const t = await this.deps.prisma.ticket.findUnique({ where: { id: e.ticketId } });
    if (!t) return { skipped: 'gone' };
    switch (e.op) {
      case 'open-home':
        return this.openHome(t);
      case 'card':
        return this.postCard(t, parseHomeRef(t.homeRef));
      case 'flush':
        return this.flush(t);
      case 'edit':
        return this.edit(t, e.messageId);
      case 'closed':
        return runCloseSteps(this, t);
      case 'reopened':
        return this.reopened(t);
      case 'notice':
        return runNotice(this, t, e.notice, e.side, e.params ?? {});
    }
  }

  categoryLabel(t: Ticket): string {
    const c = this.deps.categories.get(t.category);
    return c ? localize(c.label, 'en') : t.category;
  }

  async openHome(t: Ticket): Promise<unknown> {
    let home = parseHomeRef(t.homeRef);
    if (!home) {
      const identity = await this.deps.prisma.identity.findUnique({ where: { id: t.identityId } });
      const opener = await this.deps.prisma.ticketMessage.findFirst({
        where: { ticketId: t.id, kind: 'USER' },
        orderBy: { id: 'asc' },
      });
      const name = homeName(
        t.number,
        this.categoryLabel(t),
        opener?.authorName ?? identity?.username ?? 'user',
      );
      const members = userInHome(t) && identity ? [identity.platformUserId] : [];
      const opened = must(
        await this.deps.port.openThread(t.homePlatform, name, members, t.guildId),
        'open thread',
      );
      if (isFailure(opened)) {
        this.deps.logger.error(
          { ticket: t.number, detail: opened.failed },
          'ticket thread could not be opened',
        );
        return { failed: opened.failed };
      }
      home = opened;
      await this.deps.prisma.ticket.update({
        where: { id: t.id },
        data: { homeRef: { ...home }, homeKey: homeKey(home) },
      });
    }
    await this.postCard(t, home);
    return this.flush({ ...t, homeRef: { ...home } });
  }

  /** The context card, first in the thread; posted once per thread. */
  async postCard(t: Ticket, home: HomeRef | null): Promise<unknown> {
    if (!home) return { skipped: 'no home' };
    const sourceKey = `card:${homeKey(home)}`;
    const existing = await this.deps.prisma.ticketMessage.findUnique({
      where: { ticketId_sourceKey: { ticketId: t.id, sourceKey } },
    });
    const data = await loadContextCard(this.deps.prisma, this.deps.status, t);
    const card = renderContextCard(data, this.deps.categories);
    const prior = existing?.relayRef as MessageRef | null | undefined;
    if (prior) {
      // Asked again (a refresh): edit in place.
      must(await this.deps.port.conversation.edit(prior, card), 'edit card');
      return { card: 'edited' };
    }
    const ref = must(await this.deps.port.postHome(home, card), 'post card');
    if (isFailure(ref)) return { failed: ref.failed };
    await this.deps.prisma.ticketMessage.upsert({
      where: { ticketId_sourceKey: { ticketId: t.id, sourceKey } },
      create: {
        ticketId: t.id,
        kind: 'SYSTEM',
        sourceKey,
        body: 'context card',
        relayRef: { ...ref },
        relayedAt: new Date(),
      },
      update: { relayRef: { ...ref }, relayedAt: new Date() },
    });
    return { card: 'posted' };
  }

  /** Relays every stored message the other side has not seen, oldest first. */
  async flush(t: Ticket): Promise<unknown> {
    const pending = await pendingMessages(this.deps.pool, t.id);
    const home = parseHomeRef(t.homeRef);
    let relayed = 0;
    // A Discord user in their ticket's thread reads staff replies there: a reply written
    // elsewhere (the dashboard) is posted in the thread, not sent by DM.
    const userReadsHome = userInHome(t);
    for (const m of pending) {
      const toHome = m.kind === 'USER' || userReadsHome;
      if (toHome && !home) break; // open-home flushes once the thread exists
      const ref =
        m.kind === 'USER'
          ? await this.toHome(home!, m)
          : userReadsHome
            ? await this.staffToHome(t, home!, m)
            : await this.toUser(t, m);
      if (isFailure(ref)) {
        await this.deps.prisma.ticketMessage.update({
          where: { id: m.id },
          data: { relayError: ref.blocked ? 'blocked' : ref.failed.slice(0, 300) },
        });
        if (ref.blocked) await this.userUnreachable(t, home);
        continue;
      }
      await markRelayed(this.deps.pool, m.id, ref);
      relayed++;
      this.deps.onRelayed?.(m, ref);
    }
    return { relayed };
  }

  private async toHome(home: HomeRef, m: PendingMessage) {
    const r = must(await this.deps.port.postHome(home, userMessageForStaff(m)), 'relay to staff');
    if (isFailure(r)) return r;
    for (const a of m.attachments) {
      if (!a.data) continue;
      must(
        await this.deps.port.fileHome(home, {
          name: a.name,
          contentType: a.contentType,
          data: Buffer.from(a.data),
        }),
        'relay file',
      );
    }
    return r;
  }

  private async staffToHome(t: Ticket, home: HomeRef, m: TicketMessage) {
    const identity = await this.deps.prisma.identity.findUnique({ where: { id: t.identityId } });
    return must(
      await this.deps.port.postHome(home, staffReplyForUser(t, m, resolveLocale(identity?.locale))),
      'relay to thread',
    );
  }

  private async toUser(
    t: Ticket,
    m: TicketMessage & { attachments: Array<{ name: string; contentType: string; data: Uint8Array | null }> },
  ) {
    const identity = await this.deps.prisma.identity.findUnique({ where: { id: t.identityId } });
    if (!identity) return { failed: 'identity gone', blocked: false };
    const target = {
      kind: 'dm' as const,
      platform: identity.platform as Platform,
      platformUserId: identity.platformUserId,
      dmChatId: identity.dmChatId,
    };
    const reply = staffReplyForUser(t, m, resolveLocale(identity.locale));
    const r = must(await this.deps.port.conversation.post(target, reply), 'relay to user');
    if (isFailure(r)) return r;
    for (const a of m.attachments) {
      if (!a.data) continue;
      must(
        await this.deps.port.conversation.sendFile(target, {
          name: a.name,
          contentType: a.contentType,
          data: Buffer.from(a.data),
        }),
        'relay file to user',
      );
    }
    return r;
  }

  /** Blocked: staff are told once per message, and the card shows it from then on. */
  private async userUnreachable(t: Ticket, home: HomeRef | null): Promise<void> {
    await this.deps.identities.markUnreachable(t.identityId);
    await this.deps.prisma.ticket.update({ where: { id: t.id }, data: { userUnreachableAt: new Date() } });
    if (home) await runNotice(this, t, 'unreachable', 'home', {});
  }

  private async edit(t: Ticket, messageId: string): Promise<unknown> {
    const m = await this.deps.prisma.ticketMessage.findUnique({ where: { id: BigInt(messageId) } });
    const ref = m?.relayRef as MessageRef | null | undefined;
    if (!m || !ref) return { skipped: 'not relayed yet' }; // the flush sends the edited text
    let reply;
    if (m.kind === 'USER') reply = userMessageForStaff(m);
    else {
      const identity = await this.deps.prisma.identity.findUnique({ where: { id: t.identityId } });
      reply = staffReplyForUser(t, m, resolveLocale(identity?.locale));
    }
    must(await this.deps.port.conversation.edit(ref, reply), 'edit relayed copy');
    return { edited: true };
  }

  /** Telegram topics stay closed: a reopened ticket gets a fresh topic (and card); a Discord post unarchives the thread. */
  private async reopened(t: Ticket): Promise<unknown> {
    const home = parseHomeRef(t.homeRef);
    if (home && home.platform === 'TELEGRAM') {
      const fresh = await this.deps.prisma.ticket.update({
        where: { id: t.id },
        data: { homeRef: Prisma.DbNull, homeKey: null },
      });
      await this.openHome(fresh);
    }
    const now = await this.deps.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } });
    return runNotice(this, now, 'reopened', 'both', {});
  }
}
