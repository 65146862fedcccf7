// The assistant as a feature module: /ask, /points, staff /kb publish and /kb history,
// and plain DM text as a question when no dialogue or ticket holds the conversation.
// Handlers only translate between the conversation layer and the Assistant service.
import {
  customId,
  defineFeature,
  HOLDER_ORDER,
  type FeatureContext,
  type FeatureModule,
  type HandlerResult,
} from '../core/feature';
import { reply, text } from '../core/reply';
import type { TicketHandoff } from './handoff';
import { renderAnswer, renderHistory, renderPoints, renderPublish } from './render';
import type { Assistant } from './service';

export const MAX_QUESTION = 500;

export interface AssistantFeatureDeps {
  assistant: Assistant;
  /** Opens a ticket with the question prefilled (the refusal's button); absent without tickets. */
  tickets?: TicketHandoff;
}

export function assistantFeature(deps: AssistantFeatureDeps): FeatureModule {
  const { assistant } = deps;

  async function ask(ctx: FeatureContext, raw: string): Promise<HandlerResult> {
    const question = raw.trim();
    if (!question) return reply([text(ctx.t('assistant.askUsage'))]);
    if (question.length > MAX_QUESTION)
      return reply([text(ctx.t('assistant.tooLong', { max: MAX_QUESTION }))]);
    const r = await assistant.respond(question, ctx.locale, ctx.actor.identity.userId);
    if (r.kind === 'points') return { ...renderPoints(r.report, ctx.locale), private: true };
    if (r.answer.kind !== 'unknown' || !deps.tickets || !assistant.offers)
      return renderAnswer(r.answer, ctx.locale);
    const token = await assistant.offers.put({ userId: ctx.actor.identity.userId, question });
    const button = { id: customId('assistant', 'ticket', token), label: ctx.t('assistant.ticketButton') };
    return renderAnswer(r.answer, ctx.locale, { button });
  }

  /** The refusal's "Open a ticket" button: the question it kept becomes the ticket. */
  async function openTicket(ctx: FeatureContext, token: string): Promise<HandlerResult> {
    const offer = await assistant.offers?.get(token);
    if (!offer || !deps.tickets) return reply([text(ctx.t('assistant.offerExpired'))], { private: true });
    if (offer.userId !== ctx.actor.identity.userId)
      return { kind: 'toast', text: ctx.t('assistant.offerNotYours'), alert: true };
    return deps.tickets.open(ctx, {
      question: offer.question,
      key: token,
      topic: assistant.topic(offer.question),
    });
  }

  async function publish(ctx: FeatureContext, entryText: string): Promise<HandlerResult> {
    if (!entryText.trim()) return reply([text(ctx.t('kb.usage'))]);
    const outcome = await assistant.publish(entryText, { userId: ctx.actor.identity.userId, audit: false });
    if (outcome.kind === 'published') {
      ctx.auditAs({
        subjectType: 'kb_entry',
        subjectId: `${outcome.entry.id}/${outcome.entry.lang}`,
        details: {
          version: outcome.outcome.version,
          result: outcome.outcome.kind,
          updated: outcome.entry.updated,
        },
      });
    }
    return renderPublish(outcome, ctx.locale);
  }

  async function history(ctx: FeatureContext, id: string): Promise<HandlerResult> {
    if (!id.trim()) return reply([text(ctx.t('kb.usage'))]);
    return renderHistory(id.trim(), await assistant.history(id), ctx.locale);
  }

  return defineFeature({
    id: 'assistant',
    discordGroups: [{ name: 'kb', descriptionKey: 'help.kb' }],
    commands: [
      {
        name: 'ask',
        descriptionKey: 'help.ask',
        permission: 'everyone',
        params: [
          {
            name: 'question',
            descriptionKey: 'assistant.param.question',
            required: true,
            rest: true,
            maxLength: MAX_QUESTION,
          },
        ],
        handler: (ctx, args) => ask(ctx, args.question ?? ''),
      },
      {
        name: 'points',
        descriptionKey: 'help.points',
        permission: 'everyone',
        handler: async (ctx) => ({
          ...renderPoints(await assistant.points(ctx.actor.identity.userId, ctx.locale), ctx.locale),
          private: true,
        }),
      },
      {
        // Telegram: "/kb publish" with the entry on the next lines, or "/kb history <id>".
        name: 'kb',
        descriptionKey: 'help.kb',
        permission: 'staff',
        discord: false,
        params: [
          { name: 'action', descriptionKey: 'kb.param.action', required: true },
          { name: 'text', descriptionKey: 'kb.param.text', rest: true },
        ],
        handler: async (ctx, args) => {
          const action = (args.action ?? '').trim().toLowerCase();
          if (action === 'publish') return publish(ctx, args.text ?? '');
          if (action === 'history') return history(ctx, args.text ?? '');
          return reply([text(ctx.t('kb.usage'))]);
        },
      },
      {
        // Discord: a slash option holds one line, so the entry is typed into a modal.
        name: 'kb_publish',
        descriptionKey: 'help.kbPublish',
        permission: 'staff',
        telegram: false,
        discord: { group: 'kb', name: 'publish' },
        handler: async () => ({ kind: 'modal', action: 'publish' }),
      },
      {
        name: 'kb_history',
        descriptionKey: 'help.kbHistory',
        permission: 'staff',
        telegram: false,
        discord: { group: 'kb', name: 'history' },
        params: [{ name: 'id', descriptionKey: 'kb.param.id', required: true }],
        handler: (ctx, args) => history(ctx, args.id ?? ''),
      },
    ],
    modals: [
      {
        action: 'publish',
        titleKey: 'kb.modal.title',
        permission: 'staff',
        fields: [
          {
            kind: 'text',
            name: 'entry',
            labelKey: 'kb.modal.entry',
            style: 'paragraph',
            required: true,
            maxLength: 4000,
          },
        ],
        submit: (ctx, values) => publish(ctx, values.entry ?? ''),
      },
    ],
    buttons: [{ action: 'ticket', permission: 'everyone', handler: openTicket }],
    holders: [
      {
        // Last in line: a running intake or an open ticket takes the text first.
        name: 'ask',
        order: HOLDER_ORDER.assistant,
        where: ['dm'],
        permission: 'everyone',
        offer: (ctx, input) => ask(ctx, input.text),
      },
    ],
  });
}
