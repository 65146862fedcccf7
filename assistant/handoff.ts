// The hand-off to a human: the ticket the "I don't know" offer opens, through ticketing's
// service (composition root wires it in cli/compose.ts). The question becomes the ticket's
// description as asked; the category is "points" for points/TGE questions, else "other"
// (staff recategorize), never one whose intake questions would go unanswered.
import type { FeatureContext, HandlerResult } from '../core/feature';
import { reply, text } from '../core/reply';
import type { Ticketing } from '../ticketing';
import { actorOf, refusals } from '../ticketing/feature/context';
import { intakeReply } from '../ticketing/render';

export interface TicketRequest {
  question: string;
  /** Unique per offer: a second press returns the ticket the first one opened. */
  key: string;
  topic: 'points' | 'other';
}

export interface TicketHandoff {
  open(ctx: FeatureContext, req: TicketRequest): Promise<HandlerResult>;
}

export function ticketHandoff(tk: Pick<Ticketing, 'tickets' | 'categories'>): TicketHandoff {
  const answerable = tk.categories.list.filter((c) => c.questions.every((q) => !q.required));
  const categoryFor = (topic: TicketRequest['topic']) =>
    answerable.find((c) => c.id === topic) ?? answerable.find((c) => c.id === 'other') ?? answerable[0];
  return {
    open: (ctx, req) =>
      refusals(ctx, async () => {
        const category = categoryFor(req.topic);
        if (!category) return reply([text(ctx.t('assistant.reachStaff'))]);
        const { ticket, created } = await tk.tickets.open({
          requestKey: `assistant:${req.key}`,
          opener: actorOf(ctx),
          category: category.id,
          description: req.question,
        });
        return {
          ...intakeReply({ kind: 'done', ticket, created }, ctx.locale, tk.categories),
          private: true,
        };
      }),
  };
}
