// The tickets feature module: /support and its intake (Telegram, one question at a time),
// /ticket open (a Discord modal) and the staff panel, the relay holder for DMs and ticket
// threads/topics, and the staff commands. Handlers only translate; rules live in ticketing/.
import {
  defineFeature,
  HOLDER_ORDER,
  type FeatureContext,
  type FeatureModule,
  type InboundText,
  type ParamChoice,
} from '../../core/feature';
import { isStaff } from '../actor';
import { isTicketError, TicketError } from '../errors';
import type { Ticketing } from '../index';
import { validateAnswers } from '../intake';
import { intakeReply } from '../render';
import { actorOf, refusals, say, sourceKey, ticketHere } from './context';
import { attachmentsOf } from './files';
import { prefillButtons } from './prefill';
import { categoryKey, staffCommands, type StaffDeps } from './staff';

export { ticketOfferButton } from './prefill';

export function ticketsFeature(tk: Ticketing, opts: StaffDeps = {}): FeatureModule {
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
            const r = await tk.lifecycle.close(actor, ticket.id, args.reason ?? null);
            return say(ctx, r.requested ? 'tickets.staff.closeRequested' : 'tickets.closed', {
              number: ticket.number,
            });
          }),
      },
      ...staffCommands(tk, opts),
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
              // The guild's own support channel, when it has one (DISCORD_SUPPORT_CHANNELS).
              ...(ctx.guildId ? { guildId: ctx.guildId } : {}),
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
                ? {
                    kind: 'text',
                    text: input.text,
                    sourceKey: sourceKey(ctx),
                    // A photo or document sent as the answer (the description) is kept with it.
                    ...(ctx.files?.length
                      ? { attachments: await attachmentsOf(ctx, tk.settings.maxStoredAttachmentBytes) }
                      : {}),
                  }
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
        files: true,
        offer: async (ctx, input) => {
          const actor = actorOf(ctx);
          const key = relayKey(actor.platform, input);
          const ticket = await ticketOf(ctx, input);
          if (!ticket || (input.origin.kind === 'thread' && ticket.state === 'CLOSED')) return null;
          const inThread = input.origin.kind === 'thread';
          if (inThread && ticket.userId !== actor.userId && !isStaff(actor)) return null;
          return refusals(ctx, async () => {
            const attachments = await attachmentsOf(ctx, tk.settings.maxStoredAttachmentBytes);
            const msg = { sourceKey: key, text: input.text, ...(attachments.length ? { attachments } : {}) };
            if (ticket.userId === actor.userId)
              await tk.relay.fromUser(actor, ticket, msg, { inHome: inThread });
            else await tk.relay.fromStaff(actor, ticket, msg);
            return { kind: 'none' };
          });
        },
        // An edit of a relayed message edits its copy on the other side (never a second message).
        edited: async (ctx, input) => {
          const actor = actorOf(ctx);
          const ticket = await ticketOf(ctx, input);
          if (!ticket || ticket.state === 'CLOSED') return null;
          try {
            const m = await tk.relay.edit(actor, ticket, relayKey(actor.platform, input), input.text);
            return m ? { kind: 'none' } : null;
          } catch (err) {
            if (isTicketError(err)) return null; // someone else's message: nothing changes
            throw err;
          }
        },
      },
    ],
  });

  /** The ticket a DM (the user's active ticket) or a thread/topic (the one worked there) belongs to. */
  async function ticketOf(ctx: FeatureContext, input: InboundText) {
    if (input.origin.kind === 'thread') return ticketHere(tk, ctx);
    return tk.tickets.activeForUser(actorOf(ctx).userId);
  }
}

/** Stored messages are keyed by the platform message: a redelivered update or an edit finds it. */
const relayKey = (platform: string, input: InboundText) =>
  `${platform}:${input.message.chatId}:${input.message.messageId || Date.now()}`;
