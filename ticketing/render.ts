// What ticket messages say, as platform-neutral replies (core/reply). User-written text is
// always its own plain block: each adapter escapes it, so markdown, HTML and @everyone in
// it are shown literally and ping nobody.
import type { Ticket, TicketMessage, TicketState } from '@prisma/client';
import { t, type Locale } from '../core/i18n';
import { formatDuration } from '../core/i18n/format';
import { reply, text, title, type Button, type Reply } from '../core/reply';
import { localize, type Categories } from './categories';
import type { IntakePrompt } from './intake';

/** Staff threads speak one language; English until a per-team setting exists. */
export const STAFF_LOCALE: Locale = 'en';

/** Button ids: `tickets:<action>:<argument>` (the conversation layer routes on the feature name). */
export const button = (
  action: string,
  arg: string | number,
  label: string,
  style?: Button['style'],
): Button => ({
  id: `tickets:${action}:${arg}`,
  label,
  ...(style ? { style } : {}),
});

export function intakeReply(prompt: IntakePrompt, locale: Locale, categories: Categories): Reply {
  switch (prompt.kind) {
    case 'category': {
      const blocks = prompt.invalid ? [text(t(locale, 'tickets.intake.categoryInvalid'))] : [];
      const lines = categories.list.map((c, i) => `${i + 1}. ${localize(c.label, locale)}`);
      return reply([...blocks, text(t(locale, 'tickets.intake.category')), text(lines.join('\n'))], {
        buttons: categories.list.map((c) => [
          button('cat', `${prompt.step}.${c.id}`, localize(c.label, locale)),
        ]),
      });
    }
    case 'question': {
      const q = prompt.question;
      const blocks = prompt.invalid ? [text(t(locale, 'tickets.intake.answerInvalid'))] : [];
      blocks.push(
        text(
          t(locale, 'tickets.intake.question', {
            index: prompt.index + 1,
            total: prompt.total,
            prompt: localize(q.prompt, locale),
          }),
        ),
      );
      if (q.kind !== 'select') return reply(blocks);
      const opts = q.options ?? [];
      blocks.push(text(opts.map((o, i) => `${i + 1}. ${localize(o.label, locale)}`).join('\n')));
      blocks.push(text(t(locale, 'tickets.intake.selectHint')));
      return reply(blocks, {
        buttons: opts.map((o) => [button('opt', `${prompt.step}.${o.value}`, localize(o.label, locale))]),
      });
    }
    case 'description':
      return reply([
        ...(prompt.invalid ? [text(t(locale, 'tickets.intake.descriptionInvalid'))] : []),
        text(t(locale, 'tickets.intake.description')),
      ]);
    case 'done': {
      const c = categories.get(prompt.ticket.category);
      const key = prompt.created ? 'tickets.opened' : 'tickets.openedAgain';
      return reply([
        text(
          t(locale, key, {
            number: prompt.ticket.number,
            category: c ? localize(c.label, locale) : prompt.ticket.category,
          }),
        ),
      ]);
    }
  }
}

export const stateLabel = (state: TicketState, locale: Locale) => t(locale, `tickets.state.${state}`);

/** A staff reply as the user sees it: marked as coming from support. */
export function staffReplyForUser(ticket: Ticket, m: TicketMessage, locale: Locale): Reply {
  return reply([
    title(t(locale, 'tickets.staffReply', { name: m.authorName ?? '—' })),
    text(m.body),
    text(
      t(locale, 'tickets.staffReplyTicket', { number: ticket.number }) +
        (m.editedAt ? ` ${t(locale, 'tickets.staff.edited')}` : ''),
    ),
  ]);
}

/** A user message as staff see it in the thread/topic: the name, then the text as written. */
export function userMessageForStaff(m: TicketMessage): Reply {
  const head = t(STAFF_LOCALE, 'tickets.staff.userMessage', { name: m.authorName ?? '—' });
  return reply([
    title(m.editedAt ? `${head} ${t(STAFF_LOCALE, 'tickets.staff.edited')}` : head),
    ...(m.body ? [text(m.body)] : []),
  ]);
}

export function closedForUser(ticket: Ticket, locale: Locale): Reply {
  const reason = ticket.closeReason;
  const head =
    reason === 'inactivity'
      ? t(locale, 'tickets.closedInactive', { number: ticket.number })
      : reason
        ? t(locale, 'tickets.closedReason', { number: ticket.number, reason })
        : t(locale, 'tickets.closed', { number: ticket.number });
  return reply([text(head), text(t(locale, 'tickets.ratePrompt'))], {
    buttons: [[1, 2, 3, 4, 5].map((n) => button('rate', `${ticket.number}.${n}`, '★'.repeat(n)))],
  });
}

export function closeRequestForUser(ticket: Ticket, locale: Locale): Reply {
  return reply([text(t(locale, 'tickets.closeRequest', { number: ticket.number }))], {
    buttons: [
      [
        button('solved', ticket.number, t(locale, 'tickets.button.solved'), 'success'),
        button('notyet', ticket.number, t(locale, 'tickets.button.notYet'), 'secondary'),
      ],
    ],
  });
}

export function reopenOffer(ticket: Ticket, locale: Locale): Reply {
  return reply([text(t(locale, 'tickets.reopenOffer', { number: ticket.number }))], {
    buttons: [
      [button('reopen', ticket.number, t(locale, 'tickets.button.reopen', { number: ticket.number }))],
    ],
  });
}

export const notice = (line: string): Reply => reply([text(line)]);

export function staffClosedNotice(ticket: Ticket, closerName: string | null): Reply {
  const l = STAFF_LOCALE;
  if (ticket.closeReason === 'inactivity' && !ticket.closedById)
    return notice(t(l, 'tickets.staff.closedInactive'));
  const name = closerName ?? '—';
  return notice(
    ticket.closeReason
      ? t(l, 'tickets.staff.closedReason', { name, reason: ticket.closeReason })
      : t(l, 'tickets.staff.closed', { name }),
  );
}

export const duration = (locale: Locale, ms: number) => formatDuration(locale, ms);
