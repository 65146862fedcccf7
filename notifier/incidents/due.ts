// The incident steps that are due (grouped offline alerts, updates, reminders), taken in
// batches: a mass outage of 10,000 owners is a handful of statements per 5,000 incidents,
// not a job and ten round trips per incident. Incidents are claimed with
// FOR UPDATE SKIP LOCKED, so concurrent runs take disjoint sets; a step is recorded only if
// the incident is still at the alert number read, and every message carries a dedupe key
// fixed by that number, so a run repeated after a crash queues nothing twice.
// Lock order (see docs/architecture.md): nodes, then incidents, then incident_nodes.
import type pg from 'pg';
import { inTransaction } from '../../core/db';
import { formatTime } from '../../core/i18n/format';
import type { LocalizedBlock } from '../../core/queue';
import type { DeliveryService, UserMessage } from '../delivery/service';
import type { AlertRules } from './effects';

export const DUE_BATCH = 5_000;
/**
 * A run's first alert batch: a mass outage's first alerts are queued (and sent) while the
 * rest are claimed and built, instead of after all of a 5,000 batch (about 0.3 s).
 */
export const FIRST_DUE_BATCH = 200;

interface Claimed {
  id: string;
  user_id: string;
  alert_count: number;
  reminder_count: number;
  muted: boolean;
}

interface DownNode {
  incident_id: string;
  node_id: string;
  external_id: string;
  label: string | null;
  last_seen_at: Date | null;
  down_at: Date;
  alerted: boolean;
}

const name = (p: { external_id: string; label: string | null }) =>
  p.label ? `${p.external_id} (${p.label})` : p.external_id;

function byIncident(rows: DownNode[]): Map<string, DownNode[]> {
  const out = new Map<string, DownNode[]>();
  for (const r of rows) {
    const list = out.get(r.incident_id) ?? [];
    list.push(r);
    out.set(r.incident_id, list);
  }
  return out;
}

/** Whether some alert step is due but was not taken (its incident was locked meanwhile). */
export async function hasDueAlerts(pool: pg.Pool, rules: AlertRules, now: Date): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM incidents i
      WHERE i.closed_at IS NULL
        AND CASE WHEN i.alert_count = 0 THEN i.opened_at + $2 * interval '1 millisecond'
                 ELSE i.last_alert_at + $3 * interval '1 millisecond' END <= $1
        AND EXISTS (SELECT 1 FROM incident_nodes n
                     WHERE n.incident_id = i.id AND n.alerted_at IS NULL AND n.up_at IS NULL)
      LIMIT 1`,
    [now, rules.groupWaitMs, rules.updateIntervalMs],
  );
  return rows.length > 0;
}

// A watch row (`<device>~<user>`, accounts/node-networks.ts) is named by its device.
const DOWN_NODES = `
  SELECT n.incident_id, n.node_id, split_part(x.external_id, '~', 1) AS external_id, x.label, n.last_seen_at, n.down_at,
         n.alerted_at IS NOT NULL AS alerted
    FROM incident_nodes n JOIN nodes x ON x.id = n.node_id
   WHERE n.incident_id = ANY($1::uuid[]) AND n.up_at IS NULL
   ORDER BY n.incident_id, x.external_id`;

/**
 * Grouped offline alerts (first one or an update) for incidents whose group wait or update
 * interval has passed: every pending node of each incident in one message. `ids` limits the
 * run to those incidents. Returns the incidents that took a step.
 */
export async function alertDue(
  pool: pg.Pool,
  delivery: DeliveryService,
  rules: AlertRules,
  now: Date,
  ids?: string[],
  limit = DUE_BATCH,
): Promise<string[]> {
  return inTransaction(pool, async (c) => {
    const { rows: claimed } = await c.query<Claimed>(
      `SELECT i.id, i.user_id, i.alert_count, i.reminder_count,
              COALESCE(u.muted_until > $1, false) AS muted
         FROM incidents i JOIN users u ON u.id = i.user_id
        WHERE i.closed_at IS NULL
          AND ($4::uuid[] IS NULL OR i.id = ANY($4::uuid[]))
          AND CASE WHEN i.alert_count = 0 THEN i.opened_at + $2 * interval '1 millisecond'
                   ELSE i.last_alert_at + $3 * interval '1 millisecond' END <= $1
          AND EXISTS (SELECT 1 FROM incident_nodes n
                       WHERE n.incident_id = i.id AND n.alerted_at IS NULL AND n.up_at IS NULL)
        ORDER BY i.id
        LIMIT $5
        FOR NO KEY UPDATE OF i SKIP LOCKED`,
      [now, rules.groupWaitMs, rules.updateIntervalMs, ids ?? null, limit],
    );
    if (claimed.length === 0) return [];
    const { rows: down } = await c.query<DownNode>(DOWN_NODES, [claimed.map((i) => i.id)]);
    const nodes = byIncident(down);
    const loud = claimed.filter((i) => !i.muted);
    const { rows: counts } = await c.query<{ user_id: string; total: number; online: number }>(
      `SELECT user_id, count(*)::int AS total, count(*) FILTER (WHERE state = 'ONLINE')::int AS online
         FROM nodes WHERE user_id = ANY($1::uuid[]) GROUP BY user_id`,
      [loud.map((i) => i.user_id)],
    );
    const countOf = new Map(counts.map((r) => [r.user_id, r]));
    const messages: UserMessage[] = [];
    const step = { id: [] as string[], expected: [] as number[], inc: [] as number[] };
    const alerted = { incident: [] as string[], node: [] as string[] };
    for (const inc of claimed) {
      const all = nodes.get(inc.id) ?? [];
      const pending = all.filter((n) => !n.alerted);
      const still = all.filter((n) => n.alerted);
      if (!inc.muted) {
        const count = countOf.get(inc.user_id);
        const content: LocalizedBlock[] = [
          {
            kind: 'title',
            key: inc.alert_count === 0 ? 'alert.offline.title' : 'alert.offline.more',
            params: { count: pending.length },
          },
          {
            kind: 'list',
            items: pending.map((p) => ({
              key: 'alert.offline.item' as const,
              params: { node: name(p), lastSeen: formatTime(p.last_seen_at ?? p.down_at) },
            })),
          },
          // An update names the earlier drops too, so every message lists all the owner's down nodes.
          ...(still.length
            ? [
                {
                  kind: 'text' as const,
                  key: 'alert.offline.still' as const,
                  params: { nodes: still.map((r) => r.external_id).join(', ') },
                },
              ]
            : []),
          {
            kind: 'text',
            key: 'alert.offline.remaining',
            params: { online: count?.online ?? 0, total: count?.total ?? 0 },
          },
        ];
        messages.push({
          userId: inc.user_id,
          content,
          dedupeKey: `incident-${inc.id}-alert-${inc.alert_count + 1}`,
          kind: 'offline-alert',
        });
      }
      // A muted owner's incident stays at alert 0: no "back online" for drops never announced.
      step.id.push(inc.id);
      step.expected.push(inc.alert_count);
      step.inc.push(inc.muted ? 0 : 1);
      for (const p of pending) {
        alerted.incident.push(inc.id);
        alerted.node.push(p.node_id);
      }
    }
    // Queued before the step is committed, with keys fixed by the alert number: a run
    // repeated after a crash builds the same keys and the delivery queue drops them.
    await delivery.sendToUsers(messages);
    await c.query(
      `WITH s AS (SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[]) AS s(id, expected, inc)),
       step AS (
         UPDATE incidents i
            SET alert_count = i.alert_count + s.inc,
                last_alert_at = CASE WHEN s.inc = 1 THEN now() ELSE i.last_alert_at END,
                first_alert_at = CASE WHEN s.inc = 1 THEN COALESCE(i.first_alert_at, now()) ELSE i.first_alert_at END
           FROM s WHERE i.id = s.id AND i.alert_count = s.expected AND i.closed_at IS NULL
          RETURNING i.id)
       UPDATE incident_nodes n SET alerted_at = now()
         FROM unnest($4::uuid[], $5::uuid[]) AS p(incident_id, node_id)
        WHERE n.incident_id = p.incident_id AND n.node_id = p.node_id AND n.alerted_at IS NULL
          AND p.incident_id IN (SELECT id FROM step)`,
      [step.id, step.expected, step.inc, alerted.incident, alerted.node],
    );
    return step.id;
  });
}

/** Reminders for incidents whose nodes stay down past the reminder time. */
export async function remindDue(
  pool: pg.Pool,
  delivery: DeliveryService,
  rules: AlertRules,
  now: Date,
  ids?: string[],
): Promise<string[]> {
  return inTransaction(pool, async (c) => {
    const { rows: claimed } = await c.query<Claimed>(
      `SELECT i.id, i.user_id, i.alert_count, i.reminder_count,
              COALESCE(u.muted_until > $1, false) AS muted
         FROM incidents i JOIN users u ON u.id = i.user_id
        WHERE i.closed_at IS NULL AND i.alert_count > 0 AND i.first_alert_at IS NOT NULL
          AND ($4::uuid[] IS NULL OR i.id = ANY($4::uuid[]))
          AND i.first_alert_at + ($2 + i.reminder_count * $3) * interval '1 millisecond' <= $1
        ORDER BY i.id
        LIMIT ${DUE_BATCH}
        FOR NO KEY UPDATE OF i SKIP LOCKED`,
      [now, rules.reminderAfterMs, rules.reminderEveryMs, ids ?? null],
    );
    if (claimed.length === 0) return [];
    const { rows: down } = await c.query<DownNode>(DOWN_NODES, [claimed.map((i) => i.id)]);
    const nodes = byIncident(down);
    const messages: UserMessage[] = [];
    for (const inc of claimed) {
      const still = (nodes.get(inc.id) ?? []).filter((n) => n.alerted);
      if (still.length === 0 || inc.muted) continue;
      messages.push({
        userId: inc.user_id,
        content: [
          { kind: 'title', key: 'alert.reminder.title', params: { count: still.length } },
          {
            kind: 'list',
            items: still.map((d) => ({
              key: 'alert.reminder.item' as const,
              params: {
                node: name(d),
                duration: { durationMs: now.getTime() - (d.last_seen_at ?? d.down_at).getTime() },
              },
            })),
          },
        ],
        dedupeKey: `incident-${inc.id}-reminder-${inc.reminder_count + 1}`,
        kind: 'reminder',
      });
    }
    await delivery.sendToUsers(messages);
    await c.query(
      `UPDATE incidents i SET reminder_count = i.reminder_count + 1
         FROM unnest($1::uuid[], $2::int[]) AS s(id, expected)
        WHERE i.id = s.id AND i.reminder_count = s.expected`,
      [claimed.map((i) => i.id), claimed.map((i) => i.reminder_count)],
    );
    return claimed.map((i) => i.id);
  });
}
