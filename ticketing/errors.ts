// Refusals the ticket domain gives. Each code has a localized text
// (`tickets.error.<code>`); params fill its placeholders. A refusal never changes anything.
export type TicketErrorCode =
  | 'forbidden'
  | 'not_found'
  | 'not_in_ticket'
  | 'limit_open'
  | 'limit_rate'
  | 'closed'
  | 'not_closed'
  | 'reopen_expired'
  | 'bad_category'
  | 'bad_answer'
  | 'bad_priority'
  | 'bad_rating'
  | 'bad_tag'
  | 'bad_assignee'
  | 'already_rated'
  | 'snippet_missing'
  | 'bad_snippet'
  | 'no_intake';

export type TicketErrorParams = Record<string, string | number | Date>;

export class TicketError extends Error {
  constructor(
    readonly code: TicketErrorCode,
    readonly params: TicketErrorParams = {},
  ) {
    super(`ticket refusal: ${code}`);
    this.name = 'TicketError';
  }
}

export const isTicketError = (err: unknown): err is TicketError => err instanceof TicketError;
