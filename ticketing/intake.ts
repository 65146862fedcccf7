// Opening a ticket in a chat, one step at a time: the category, then the category's
// questions, then the description (unless `/support <text>` gave it). The state lives in
// PostgreSQL, so a restart in the middle loses nothing; every step takes a button press or a
// plain message, and a press from an earlier step is answered with the current one.
import type { Prisma, PrismaClient, TicketIntake } from '@prisma/client';
import type { Actor } from './actor';
import type { Categories, Category, Question } from './categories';
import { localize } from './categories';
import { TicketError } from './errors';
import type { IncomingAttachment, TicketService } from './tickets';
import { MAX_DESCRIPTION } from './tickets';
import type { Ticket } from '@prisma/client';

export type IntakePrompt =
  | { kind: 'category'; step: number; categories: Category[]; invalid?: boolean }
  | {
      kind: 'question';
      step: number;
      category: Category;
      question: Question;
      index: number;
      total: number;
      invalid?: boolean;
    }
  | { kind: 'description'; step: number; category: Category; invalid?: boolean }
  | { kind: 'done'; ticket: Ticket; created: boolean };

export type IntakeInput =
  /** A button: `step` is the step it was shown at, `value` the category id or option value. */
  | { kind: 'button'; step: number; value: string }
  | { kind: 'text'; text: string; sourceKey?: string; attachments?: IncomingAttachment[] };

/** Checks answers given all at once (a Discord modal); returns them cleaned or throws bad_answer. */
export function validateAnswers(category: Category, raw: Record<string, string | string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const q of category.questions) {
    const v = raw[q.id];
    const value = (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
    if (!value) {
      if (q.required) throw new TicketError('bad_answer', { question: q.prompt.en });
      continue;
    }
    if (q.kind === 'select' && !q.options?.some((o) => o.value === value))
      throw new TicketError('bad_answer', { question: q.prompt.en });
    out[q.id] = value.slice(0, q.maxLength);
  }
  return out;
}

function matchOption(q: Question, text: string): string | undefined {
  const s = text.trim().toLowerCase();
  const opts = q.options ?? [];
  const n = Number(s);
  if (Number.isInteger(n) && n >= 1 && n <= opts.length) return opts[n - 1]!.value;
  return opts.find((o) => o.value === s || o.label.en.toLowerCase() === s || o.label.zh?.toLowerCase() === s)
    ?.value;
}

export class IntakeService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly categories: Categories,
    private readonly tickets: TicketService,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The intake holding this identity's conversation, if one is running. */
  async current(identityId: string): Promise<TicketIntake | null> {
    const row = await this.prisma.ticketIntake.findUnique({ where: { identityId } });
    if (row && row.expiresAt.getTime() <= this.now()) {
      await this.prisma.ticketIntake.deleteMany({ where: { identityId, updatedAt: row.updatedAt } });
      return null;
    }
    return row;
  }

  /** Starts (or restarts) an intake. Limits are checked first, so nobody answers questions for nothing. */
  async start(
    actor: Actor,
    opts: {
      description?: string;
      category?: string;
      guildId?: string | null;
      answers?: Record<string, string>;
    } = {},
  ): Promise<IntakePrompt> {
    await this.tickets.precheck(actor.userId);
    const category = opts.category ? this.categories.get(opts.category) : undefined;
    if (opts.category && !category)
      throw new TicketError('bad_category', { value: opts.category.slice(0, 24) });
    const data = {
      userId: actor.userId,
      platform: actor.platform,
      category: category?.id ?? null,
      step: 0,
      answers: (opts.answers ?? {}) as Prisma.InputJsonValue,
      description: opts.description?.trim().slice(0, MAX_DESCRIPTION) || null,
      guildId: opts.guildId ?? null,
      expiresAt: new Date(this.now() + this.ttlMs),
    };
    const row = await this.prisma.ticketIntake.upsert({
      where: { identityId: actor.identityId },
      create: { identityId: actor.identityId, ...data },
      update: { ...data, createdAt: new Date(this.now()) },
    });
    return this.advance(actor, row);
  }

  async cancel(identityId: string): Promise<boolean> {
    return (await this.prisma.ticketIntake.deleteMany({ where: { identityId } })).count > 0;
  }

  async answer(actor: Actor, input: IntakeInput): Promise<IntakePrompt> {
    const row = await this.current(actor.identityId);
    if (!row) throw new TicketError('no_intake');
    const prompt = this.promptFor(row);
    if (prompt.kind === 'done') return this.advance(actor, row);
    // A button from an earlier message: show where we are instead of guessing.
    if (input.kind === 'button' && input.step !== row.step) return prompt;
    const value = input.kind === 'button' ? input.value : input.text;
    const patch: Prisma.TicketIntakeUpdateManyMutationInput = {
      expiresAt: new Date(this.now() + this.ttlMs),
    };
    let attachments: IncomingAttachment[] | undefined;
    switch (prompt.kind) {
      case 'category': {
        const c = input.kind === 'button' ? this.categories.get(value) : this.categories.match(value);
        if (!c) return { ...prompt, invalid: true };
        patch.category = c.id;
        break;
      }
      case 'question': {
        const q = prompt.question;
        const answer = q.kind === 'select' ? matchOption(q, value) : value.trim().slice(0, q.maxLength);
        if (!answer) return { ...prompt, invalid: true };
        patch.answers = { ...(row.answers as Record<string, string>), [q.id]: answer };
        break;
      }
      case 'description': {
        const text = input.kind === 'text' ? input.text.trim() : '';
        attachments = input.kind === 'text' ? input.attachments : undefined;
        if (!text && !attachments?.length) return { ...prompt, invalid: true };
        patch.description = (text || '(attachment)').slice(0, MAX_DESCRIPTION);
        break;
      }
    }
    patch.step = row.step + 1;
    // Two answers at once: only the first moves the intake on.
    const moved = await this.prisma.ticketIntake.updateMany({
      where: { identityId: actor.identityId, step: row.step },
      data: patch,
    });
    const next = await this.prisma.ticketIntake.findUnique({ where: { identityId: actor.identityId } });
    if (!next) throw new TicketError('no_intake');
    return this.advance(actor, next, moved.count === 1 ? attachments : undefined, input);
  }

  promptFor(row: TicketIntake): IntakePrompt | { kind: 'done' } {
    const category = this.categories.get(row.category);
    if (!category) return { kind: 'category', step: row.step, categories: this.categories.list };
    const answers = row.answers as Record<string, string>;
    const index = category.questions.findIndex((q) => answers[q.id] === undefined);
    if (index >= 0)
      return {
        kind: 'question',
        step: row.step,
        category,
        question: category.questions[index]!,
        index,
        total: category.questions.length,
      };
    if (!row.description) return { kind: 'description', step: row.step, category };
    return { kind: 'done' };
  }

  private async advance(
    actor: Actor,
    row: TicketIntake,
    attachments?: IncomingAttachment[],
    input?: IntakeInput,
  ): Promise<IntakePrompt> {
    const prompt = this.promptFor(row);
    if (prompt.kind !== 'done') return prompt;
    const { ticket, created } = await this.tickets.open({
      // One intake opens one ticket, however often its last answer is delivered.
      requestKey: `intake:${actor.identityId}:${row.createdAt.getTime()}`,
      opener: actor,
      category: row.category!,
      description: row.description!,
      answers: row.answers as Record<string, string>,
      ...(attachments ? { attachments } : {}),
      ...(input?.kind === 'text' && input.sourceKey ? { sourceKey: input.sourceKey } : {}),
      guildId: row.guildId,
    });
    await this.prisma.ticketIntake.deleteMany({
      where: { identityId: actor.identityId, createdAt: row.createdAt },
    });
    return { kind: 'done', ticket, created };
  }
}

export const categoryLabel = (c: Category, locale: string) => localize(c.label, locale);
