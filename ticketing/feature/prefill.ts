// Tickets started with something already filled in: the "node already claimed" dispute
// offer and other features' ticket offers (the assistant's "I don't know"). Discord shows the
// modal with the values in it; Telegram starts the intake past what is known.
import type { ButtonDecl, FeatureContext, HandlerResult } from '../../core/feature';
import { t } from '../../core/i18n';
import type { Button } from '../../core/reply';
import { TicketError } from '../errors';
import type { Ticketing } from '../index';
import { intakeReply } from '../render';
import { actorOf, refusals } from './context';

async function startPrefilled(
  tk: Ticketing,
  ctx: FeatureContext,
  category: string,
  fill: { description?: string; answers?: Record<string, string> },
): Promise<HandlerResult> {
  if (ctx.actor.identity.platform === 'DISCORD') {
    await tk.tickets.precheck(ctx.actor.identity.userId);
    return {
      kind: 'modal',
      action: 'open',
      arg: category,
      prefill: {
        category,
        ...(fill.description ? { description: fill.description } : {}),
        ...(fill.answers ?? {}),
      },
    };
  }
  const prompt = await tk.intake.start(actorOf(ctx), {
    category,
    ...(fill.description ? { description: fill.description } : {}),
    ...(fill.answers ? { answers: fill.answers } : {}),
  });
  if (prompt.kind !== 'done') await ctx.dialogue.start('intake', {});
  return intakeReply(prompt, ctx.locale, tk.categories);
}

export function prefillButtons(tk: Ticketing): ButtonDecl[] {
  return [
    {
      // "Node already linked to another account" → a dispute ticket about that node.
      action: 'dispute',
      permission: 'everyone',
      handler: (ctx, nodeId) =>
        refusals(ctx, () =>
          startPrefilled(tk, ctx, 'dispute', nodeId ? { answers: { node_id: nodeId } } : {}),
        ),
    },
    {
      // Another feature's offer (see TicketOffers): the text was stored under the id.
      action: 'offer',
      permission: 'everyone',
      handler: (ctx, id) =>
        refusals(ctx, async () => {
          const offer = await tk.offers.get(id);
          if (!offer) throw new TicketError('no_intake');
          return startPrefilled(tk, ctx, offer.category, { description: offer.description });
        }),
    },
  ];
}

/**
 * For the assistant's `ticketButton` dependency: a button that opens a ticket with the
 * question as its description (category `other`, the user can still add more).
 */
export function ticketOfferButton(tk: Ticketing, category = 'other') {
  return async (ctx: FeatureContext, question: string): Promise<Button | null> => {
    if (!tk.categories.get(category)) return null;
    const id = await tk.offers.buttonId({ category, description: question });
    return { id, label: t(ctx.locale, 'tickets.offerButton') };
  };
}
