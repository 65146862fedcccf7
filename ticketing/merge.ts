// Tickets take part in a user merge (accounts/merge.ts), inside its one transaction: the
// folded user's tickets and half-finished intakes move to the surviving user. Nothing else
// in ticketing keys by user: messages, assignees, closers, first responders, snippets and
// panels name identities, and identities survive a merge (they only change user).
import type { MergeParticipant } from '../accounts/merge';

export const ticketsParticipant: MergeParticipant = {
  name: 'tickets',
  merge: async ({ sql }, from, into) => {
    // The lock every open takes for its user (tickets.ts, openTx), both users in one order:
    // an open of `from` already under way commits first and its ticket moves with the rest.
    for (const id of [from, into].sort())
      await sql.rows(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) l`, [
        `ticket-open:${id}`,
      ]);
    // Every ticket moves, open ones too: the open-ticket limit is checked when a ticket is
    // opened, so a merged user above it keeps all of theirs and opens no more until under it.
    await sql.exec(`UPDATE tickets SET user_id = $2::uuid WHERE user_id = $1::uuid`, [from, into]);
    // Intakes are one per identity (its key), so moving their user id cannot collide.
    await sql.exec(`UPDATE ticket_intakes SET user_id = $2::uuid WHERE user_id = $1::uuid`, [from, into]);
  },
};
