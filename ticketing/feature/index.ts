// The tickets feature module: /support and its intake (Telegram, one question at a time),
// /ticket open (a Discord modal) and the staff panel, the relay holder for DMs and ticket
// threads/topics, and the staff commands. Handlers only translate; rules live in ticketing/.
import {
  defineFeature,
  HOLDER_ORDER,
  type CommandDecl,
  type FeatureContext,
  type FeatureModule,
  type ParamChoice,
} from '../../core/feature';
import type { MessageKey } from '../../core/i18n';
import { t } from '../../core/i18n';
import { reply, text, title } from '../../core/reply';
import { isStaff } from '../actor';
import { TicketError } from '../errors';
import type { Ticketing } from '../index';
import { validateAnswers } from '../intake';
import { button, intakeReply } from '../render';
import { renderStats, statsFor } from '../stats';
import { actorOf, refusals, say, ticketHere } from './context';
import { prefillButtons } from './prefill';

export { ticketOfferButton } from './prefill';

const categoryKey = (id: string) => `tickets.category.${id}` as MessageKey;

export function ticketsFeature(tk: Ticketing): FeatureModule {
  const inTicket = async (ctx: FeatureContext) => {
    const ticket = await ticketHere(tk, ctx);
    if (!ticket) throw new TicketError('not_found');
    return ticket;
  };
  const sourceKey = (ctx: FeatureContext) =>
    `${ctx.actor.identity.platform}:${ctx.message?.chatId ?? ''}:${ctx.message?.messageId || Date.now()}`;
  const staffCommand = (
    name: string,
    descriptionKey: MessageKey,
    params: CommandDecl['params'],
    run: (ctx: FeatureContext, args: Record<string, string>) => Promise<ReturnType<typeof reply>>,
  ): CommandDecl => ({
    name,
    descriptionKey,
    permission: 'staff',
    discord: { group: 'ticket', name: name.replace(/^ticket_/, '').replace('_', '-') },
    ...(params ? { params } : {}),
    handler: (ctx, args) => refusals(ctx, () => run(ctx, args)),
  });
  const categoryChoices: ParamChoice[] = tk.categories.list.map((c) => ({
    value: c.id,
    labelKey: categoryKey(c.id),
  }));

  return defineFeature({
    id: 'tickets',
    aliases: ['support'],
    discordGroups: [{ name: 'ticket', descriptionKey: 'help.support' }],
    commands: [
      {
        name: 'support',
        descriptionKey: 'tickets.help.support',
        permission: 'everyone',
        discord: { group: 'ticket', name: 'open' },
        params: [{ name: 'text', descriptionKey: 'tickets.help.text', rest: true, maxLength: 2000 }],
        handler: (ctx, args) =>
          refusals(ctx, async () => {
            // Discord: the modal holds every question at once.
            if (ctx.actor.identity.platform === 'DISCORD') {
              await tk.tickets.precheck(ctx.actor.identity.userId);
              return {
                kind: 'modal',
                action: 'open',
                ...(args.text ? { prefill: { description: args.text } } : {}),
              };
            }
            const prompt = await tk.intake.start(actorOf(ctx), {
              ...(args.text ? { description: args.text } : {}),
            });
            if (prompt.kind !== 'done') await ctx.dialogue.start('intake', {});
            return intakeReply(prompt, ctx.locale, tk.categories);
          }),
      },
      {
        name: 'close',
        descriptionKey: 'tickets.help.close',
        permission: 'everyone',
        discord: { group: 'ticket', name: 'close' },
        params: [{ name: 'reason', descriptionKey: 'tickets.help.reason', rest: true, maxLength: 500 }],
        handler: (ctx, args) =>
          refusals(ctx, async () => {
            const actor = actorOf(ctx);
            const ticket =
              (await ticketHere(tk, ctx)) ??
              (ctx.origin.kind === 'dm' ? await tk.tickets.activeForUser(actor.userId) : null);
            if (!ticket) return say(ctx, 'tickets.error.no_ticket_here');
            ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
            const r = await tk.lifecycle.close(actor, ticket.id, args.reason ?? null);
            return say(ctx, r.requested ? 'tickets.staff.closeRequested' : 'tickets.closed', {
              number: ticket.number,
            });
          }),
      },
      staffCommand(
        'note',
        'tickets.help.note',
        [{ name: 'text', descriptionKey: 'tickets.help.text', rest: true, required: true, maxLength: 4000 }],
        async (ctx, args) => {
          const ticket = await inTicket(ctx);
          ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
          await tk.relay.note(actorOf(ctx), ticket, { sourceKey: sourceKey(ctx), text: args.text ?? '' });
          return say(ctx, 'tickets.staff.noteSaved');
        },
      ),
      staffCommand('claim', 'tickets.help.claim', undefined, async (ctx) => {
        const ticket = await tk.lifecycle.claim(actorOf(ctx), (await inTicket(ctx)).id);
        ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
        return say(ctx, 'tickets.staff.claimed', { name: ticket.assigneeName ?? '', number: ticket.number });
      }),
      staffCommand('unclaim', 'tickets.help.unclaim', undefined, async (ctx) => {
        const ticket = await tk.lifecycle.unclaim(actorOf(ctx), (await inTicket(ctx)).id);
        ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
        return say(ctx, 'tickets.staff.unclaimed', { number: ticket.number });
      }),
      staffCommand(
        'priority',
        'tickets.help.priority',
        [
          {
            name: 'level',
            descriptionKey: 'tickets.help.priority',
            required: true,
            maxLength: 10,
            choices: ['low', 'normal', 'high', 'urgent'].map((value) => ({ value })),
          },
        ],
        async (ctx, args) => {
          const ticket = await tk.lifecycle.setPriority(
            actorOf(ctx),
            (await inTicket(ctx)).id,
            args.level ?? '',
          );
          ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
          return say(ctx, 'tickets.staff.priority', {
            number: ticket.number,
            priority: ticket.priority.toLowerCase(),
          });
        },
      ),
      staffCommand(
        'tags',
        'tickets.help.tags',
        [{ name: 'tags', descriptionKey: 'tickets.help.tags', rest: true, required: true, maxLength: 200 }],
        async (ctx, args) => {
          const ticket = await tk.lifecycle.setTags(actorOf(ctx), (await inTicket(ctx)).id, args.tags ?? '');
          ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
          return say(ctx, 'tickets.staff.tags', {
            number: ticket.number,
            tags: ticket.tags.join(', ') || '—',
          });
        },
      ),
      staffCommand(
        'snippet',
        'tickets.help.snippet',
        [{ name: 'name', descriptionKey: 'tickets.help.snippet', required: true, maxLength: 32 }],
        async (ctx, args) => {
          const ticket = await inTicket(ctx);
          ctx.auditAs({ subjectType: 'ticket', subjectId: ticket.id });
          await tk.relay.snippet(actorOf(ctx), ticket, args.name ?? '', sourceKey(ctx));
          return { kind: 'none' } as never;
        },
      ),
      staffCommand(
        'snippet_save',
        'tickets.help.snippetSave',
        [{ name: 'text', descriptionKey: 'tickets.help.text', rest: true, required: true, maxLength: 2100 }],
        async (ctx, args) => {
          const s = await tk.snippets.save(actorOf(ctx), args.text ?? '');
          ctx.auditAs({ subjectType: 'snippet', subjectId: s.name });
          return say(ctx, 'tickets.staff.snippetSaved', { name: s.name });
        },
      ),
      staffCommand('ticket_stats', 'tickets.help.stats', undefined, async (ctx) =>
        renderStats(await statsFor(tk.gate, tk.prisma, tk.pool, actorOf(ctx))),
      ),
      {
        name: 'ticket_panel',
        descriptionKey: 'tickets.help.panel',
        permission: 'staff',
        telegram: false,
        discord: { group: 'ticket', name: 'panel' },
        handler: (ctx) =>
          refusals(ctx, async () => {
            const panel = reply(
              [title(t(ctx.locale, 'tickets.panel.title')), text(t(ctx.locale, 'tickets.panel.body'))],
              {
                buttons: tk.categories.list.map((c) => [
                  button('panel', c.id, t(ctx.locale, categoryKey(c.id))),
                ]),
              },
            );
            const o = ctx.origin;
            if (o.kind === 'dm') return say(ctx, 'tickets.error.no_ticket_here');
            const existing = await tk.prisma.ticketPanel.findFirst({
              where: { platform: o.platform, ref: { path: ['chatId'], equals: o.chatId } },
            });
            // Editable after posting (discord-tickets #362): the same command refreshes it in place.
            const prior = existing?.ref as
              { platform: 'DISCORD'; chatId: string; messageId: string } | undefined;
            const posted = prior
              ? await ctx.conversation.edit(prior, panel)
              : await ctx.conversation.post(
                  { kind: 'channel', platform: o.platform, chatId: o.chatId },
                  panel,
                );
            if (posted.ok && !existing)
              await tk.prisma.ticketPanel.create({
                data: {
                  platform: o.platform,
                  ref: { ...posted.value },
                  title: 'panel',
                  body: '',
                  categories: tk.categories.list.map((c) => c.id),
                  createdById: ctx.actor.identity.id,
                },
              });
            ctx.auditAs({ subjectType: 'panel', subjectId: o.chatId });
            return say(ctx, 'tickets.panelPosted');
          }),
      },
    ],
    modals: [
      {
        action: 'open',
        titleKey: 'tickets.modal.title',
        permission: 'everyone',
        fields: [
          {
            kind: 'select',
            name: 'category',
            labelKey: 'tickets.modal.category',
            options: categoryChoices,
            required: true,
          },
          {
            kind: 'text',
            name: 'description',
            labelKey: 'tickets.modal.description',
            style: 'paragraph',
            required: true,
            maxLength: 2000,
          },
          {
            kind: 'text',
            name: 'node_id',
            labelKey: 'tickets.modal.nodeId',
            style: 'short',
            required: false,
            maxLength: 128,
          },
        ],
        submit: (ctx, values, id) =>
          refusals(ctx, async () => {
            const category = tk.categories.get(values.category || id);
            if (!category)
              throw new TicketError('bad_category', { value: (values.category ?? '').slice(0, 24) });
            const asked = { ...category, questions: category.questions.filter((q) => q.id in values) };
            const { ticket, created } = await tk.tickets.open({
              requestKey: `modal:${ctx.actor.identity.id}:${ctx.here.kind === 'interaction' ? ctx.here.interactionId : Date.now()}`,
              opener: actorOf(ctx),
              category: category.id,
              description: values.description ?? '',
              answers: validateAnswers(asked, values),
            });
            return intakeReply({ kind: 'done', ticket, created }, ctx.locale, tk.categories);
          }),
      },
    ],
    dialogues: [
      {
        name: 'intake',
        permission: 'everyone',
        ttlSeconds: Math.round(tk.settings.intakeTtlMs / 1000),
        step: async (ctx, _state, input) => {
          try {
            const [step, value] =
              input.kind === 'button' ? (input.id.split(/\.(.*)/s) as [string, string]) : ['', ''];
            const prompt = await tk.intake.answer(
              actorOf(ctx),
              input.kind === 'text'
                ? { kind: 'text', text: input.text, sourceKey: sourceKey(ctx) }
                : { kind: 'button', step: Number(step), value: value ?? '' },
            );
            const say = intakeReply(prompt, ctx.locale, tk.categories);
            return prompt.kind === 'done' ? { end: true, say } : { next: {}, say };
          } catch (err) {
            const out = await refusals(ctx, async () => {
              throw err;
            });
            return { end: true, say: out };
          }
        },
      },
    ],
    buttons: [
      { action: 'cat', permission: 'everyone', handler: async (ctx) => say(ctx, 'tickets.error.no_intake') },
      { action: 'opt', permission: 'everyone', handler: async (ctx) => say(ctx, 'tickets.error.no_intake') },
      {
        action: 'rate',
        permission: 'everyone',
        handler: (ctx, id) =>
          refusals(ctx, async () => {
            const [num, score] = id.split('.').map(Number) as [number, number];
            const ticket = await tk.tickets.byNumber(num);
            if (!ticket) throw new TicketError('not_found');
            await tk.lifecycle.rate(actorOf(ctx), ticket.id, score);
            await tk.jobs.effect(
              { op: 'notice', ticketId: ticket.id, notice: 'rated', side: 'home', params: { score } },
              `${score}-${Date.now()}`,
            );
            return { kind: 'update', reply: say(ctx, 'tickets.rated', { number: num, score }) };
          }),
      },
      ...(['solved', 'notyet'] as const).map((action) => ({
        action,
        permission: 'everyone' as const,
        handler: (ctx: FeatureContext, id: string) =>
          refusals(ctx, async () => {
            const ticket = await tk.tickets.byNumber(Number(id));
            if (!ticket) throw new TicketError('not_found');
            const t2 = await tk.lifecycle.answerCloseRequest(actorOf(ctx), ticket.id, action === 'solved');
            return {
              kind: 'update' as const,
              reply: say(ctx, t2.state === 'CLOSED' ? 'tickets.closed' : 'tickets.keptOpen', {
                number: t2.number,
              }),
            };
          }),
      })),
      {
        action: 'reopen',
        permission: 'everyone',
        handler: (ctx, id) =>
          refusals(ctx, async () => {
            const ticket = await tk.tickets.byNumber(Number(id));
            if (!ticket) throw new TicketError('not_found');
            await tk.lifecycle.reopen(actorOf(ctx), ticket.id);
            return say(ctx, 'tickets.reopened', { number: ticket.number });
          }),
      },
      {
        action: 'panel',
        permission: 'everyone',
        handler: (ctx, id) =>
          refusals(ctx, async () => {
            await tk.tickets.precheck(ctx.actor.identity.userId);
            return { kind: 'modal', action: 'open', arg: id, prefill: { category: id } };
          }),
      },
      ...prefillButtons(tk),
    ],
    holders: [
      {
        name: 'relay',
        order: HOLDER_ORDER.ticket,
        where: ['dm', 'thread'],
        permission: 'everyone',
        offer: async (ctx, input) => {
          const actor = actorOf(ctx);
          const key = `${actor.platform}:${input.message.chatId}:${input.message.messageId || Date.now()}`;
          if (input.origin.kind === 'thread') {
            const ticket = await ticketHere(tk, ctx);
            if (!ticket || ticket.state === 'CLOSED') return null;
            return refusals(ctx, async () => {
              if (ticket.userId === actor.userId)
                await tk.relay.fromUser(
                  actor,
                  ticket,
                  { sourceKey: key, text: input.text },
                  { inHome: true },
                );
              else if (isStaff(actor))
                await tk.relay.fromStaff(actor, ticket, { sourceKey: key, text: input.text });
              else return null as never;
              return { kind: 'none' };
            });
          }
          const ticket = await tk.tickets.activeForUser(actor.userId);
          if (!ticket) return null;
          return refusals(ctx, async () => {
            await tk.relay.fromUser(actor, ticket, { sourceKey: key, text: input.text });
            return { kind: 'none' };
          });
        },
      },
    ],
  });
}
