// Moderation takes part in a user merge (accounts/merge.ts), inside its one transaction:
// the folded user's reports, pending questions, reporter record and case claims move to
// the surviving user. The case history (moderation_case_events.actor_user_id) keeps the id
// of whoever acted at the time, like the audit log: history says who did it then.
import type { MergeParticipant } from '../accounts/merge';
import type { SqlRunner } from '../core/db';

/**
 * One record for the person: counts summed, less the decided cases both users had a counted
 * report in (each was credited for the same case; a person learns once per case). A bar on
 * either stays, the surviving user's if both: a merge is no way around a bar.
 */
async function foldStandings(sql: SqlRunner, from: string, into: string): Promise<void> {
  await sql.exec(
    `WITH shared AS (
       SELECT count(*) FILTER (WHERE c.state = 'CONFIRMED')::int AS confirmed,
              count(*) FILTER (WHERE c.state = 'DISMISSED')::int AS dismissed
         FROM moderation_cases c
        WHERE c.state IN ('CONFIRMED', 'DISMISSED')
          AND EXISTS (SELECT 1 FROM moderation_reports r
                       WHERE r.case_id = c.id AND r.reporter_user_id = $1::uuid AND r.counted)
          AND EXISTS (SELECT 1 FROM moderation_reports r
                       WHERE r.case_id = c.id AND r.reporter_user_id = $2::uuid AND r.counted)
     ), gone AS (
       DELETE FROM moderation_reporters WHERE user_id = $1::uuid RETURNING *
     )
     INSERT INTO moderation_reporters AS m
            (user_id, confirmed, dismissed, barred_at, barred_by_name, bar_reason, updated_at)
     SELECT $2::uuid, g.confirmed, g.dismissed, g.barred_at, g.barred_by_name, g.bar_reason, now() FROM gone g
     ON CONFLICT (user_id) DO UPDATE SET
       confirmed = GREATEST(0, m.confirmed + EXCLUDED.confirmed - (SELECT confirmed FROM shared)),
       dismissed = GREATEST(0, m.dismissed + EXCLUDED.dismissed - (SELECT dismissed FROM shared)),
       barred_at = COALESCE(m.barred_at, EXCLUDED.barred_at),
       barred_by_name = CASE WHEN m.barred_at IS NOT NULL THEN m.barred_by_name ELSE EXCLUDED.barred_by_name END,
       bar_reason = CASE WHEN m.barred_at IS NOT NULL THEN m.bar_reason ELSE EXCLUDED.bar_reason END,
       updated_at = now()`,
    [from, into],
  );
}

export const moderationParticipant: MergeParticipant = {
  name: 'moderation',
  merge: async ({ sql }, from, into) => {
    // Before the reports move: the shared decided cases are counted from them.
    await foldStandings(sql, from, into);
    // One person's repeated reports on a node count once (as in mergeCase, evidence.ts): a
    // report of `from` loses its count where `into` already has a counted one on that node.
    await sql.exec(
      `UPDATE moderation_reports r SET reporter_user_id = $2::uuid,
              counted = r.counted AND NOT EXISTS (
                SELECT 1 FROM moderation_reports o
                 WHERE o.reporter_user_id = $2::uuid AND o.case_id = r.case_id
                   AND o.node_id = r.node_id AND o.counted)
        WHERE r.reporter_user_id = $1::uuid`,
      [from, into],
    );
    // One question per person and case is pending at a time (askInfo): where both were
    // asked, the survivor's question stands, so one answer moves the case on.
    await sql.exec(
      `DELETE FROM moderation_info_requests f
        WHERE f.user_id = $1::uuid AND f.answered_at IS NULL
          AND EXISTS (SELECT 1 FROM moderation_info_requests i
                       WHERE i.user_id = $2::uuid AND i.case_id = f.case_id AND i.answered_at IS NULL)`,
      [from, into],
    );
    await sql.exec(`UPDATE moderation_info_requests SET user_id = $2::uuid WHERE user_id = $1::uuid`, [
      from,
      into,
    ]);
    // A claim is current state, not history: the moderator still holds the case.
    await sql.exec(
      `UPDATE moderation_cases SET assignee_user_id = $2::uuid WHERE assignee_user_id = $1::uuid`,
      [from, into],
    );
  },
};
