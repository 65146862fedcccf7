// What an incident should cause, derived from its state in PostgreSQL, so every call is
// idempotent: the first grouped alert after the group wait, updates for later drops at
// most every few minutes, reminders while nodes stay down, one "back online" message.
// Timers are BullMQ jobs whose ids name the step; deliveries carry a dedupe key per step.
import type pg from 'pg';
import type { LocalizedBlock, QueueHub } from '../../core/queue';
import { formatTime } from '../../core/i18n/format';
import type { DeliveryService } from '../delivery/service';

export interface AlertRules {
  groupWaitMs: number;
  updateIntervalMs: number;
  reminderAfterMs: number;
  reminderEveryMs: number;
}

interface IncidentRow {
  id: string;
  user_id: string;
  opened_at: Date;
  first_alert_at: Date | null;
  last_alert_at: Date | null;
  alert_count: number;
  reminder_count: number;
  closed_at: Date | null;
  pending: number;
  /** Latest drop time among pending nodes (ms): names the alert step, so a new drop is a new step. */
  pending_key: string | null;
  down_alerted: number;
}

const INCIDENT_SQL = `
  SELECT i.*, 
    (SELECT count(*)::int FROM incident_nodes n WHERE n.incident_id = i.id AND n.alerted_at IS NULL AND n.up_at IS NULL) AS pending,
    (SELECT (extract(epoch FROM max(n.down_at)) * 1000)::bigint::text FROM incident_nodes n
      WHERE n.incident_id = i.id AND n.alerted_at IS NULL AND n.up_at IS NULL) AS pending_key,
    (SELECT count(*)::int FROM incident_nodes n WHERE n.incident_id = i.id AND n.alerted_at IS NOT NULL AND n.up_at IS NULL) AS down_alerted
  FROM incidents i`;

export class IncidentEffects {
  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: QueueHub,
    private readonly delivery: DeliveryService,
    private readonly rules: AlertRules,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * One notice per flapping spell, derived from `flapping_since` (not from the event that
   * started it), so a crash between commit and queueing cannot lose it.
   */
  async ensureFlappingNotices(
    userIds: string[],
    flap: { windowMs: number; stableMs: number },
  ): Promise<void> {
    if (userIds.length === 0) return;
    const { rows } = await this.pool.query<{
      id: string;
      external_id: string;
      user_id: string;
      since: Date;
      drops: number;
    }>(
      `SELECT n.id, n.external_id, n.user_id, n.flapping_since AS since,
              (SELECT count(*)::int FROM node_transitions t WHERE t.node_id = n.id AND t."to" = 'OFFLINE' AND t.at > n.flapping_since - $2 * interval '1 millisecond') AS drops
         FROM nodes n WHERE n.user_id = ANY($1::uuid[]) AND n.flapping_since IS NOT NULL`,
      [userIds, flap.windowMs],
    );
    for (const r of rows) {
      await this.delivery.sendToUser(
        r.user_id,
        [
          {
            kind: 'text',
            key: 'alert.flapping',
            params: {
              node: r.external_id,
              count: r.drops,
              minutes: Math.round(flap.windowMs / 60_000),
              stable: Math.round(flap.stableMs / 60_000),
            },
          },
        ],
        { dedupeKey: `flap-${r.id}-${r.since.getTime()}`, kind: 'flapping' },
      );
    }
  }

  /** Makes sure every open or just-closed incident of these users has its next step queued. */
  async ensureForUsers(userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const { rows } = await this.pool.query<IncidentRow>(
      `${INCIDENT_SQL} WHERE i.user_id = ANY($1::uuid[]) AND (i.closed_at IS NULL OR i.closed_at > now() - interval '1 day')`,
      [userIds],
    );
    await this.ensure(rows);
  }

  async ensureForIncident(id: string): Promise<void> {
    const { rows } = await this.pool.query<IncidentRow>(`${INCIDENT_SQL} WHERE i.id = $1`, [id]);
    await this.ensure(rows);
  }

  private async ensure(rows: IncidentRow[]): Promise<void> {
    const now = this.now();
    const jobs: Array<{
      name: 'incident-timer';
      data: { incidentId: string; kind: 'flush' | 'update' | 'reminder' };
      opts: { jobId: string; delay: number };
    }> = [];
    for (const i of rows) {
      if (i.closed_at) {
        if (i.alert_count > 0) await this.sendRecovery(i);
        continue;
      }
      if (i.pending > 0) {
        const due =
          i.alert_count === 0
            ? i.opened_at.getTime() + this.rules.groupWaitMs
            : (i.last_alert_at?.getTime() ?? now) + this.rules.updateIntervalMs;
        const kind = i.alert_count === 0 ? 'flush' : 'update';
        jobs.push({
          name: 'incident-timer',
          data: { incidentId: i.id, kind },
          opts: { jobId: `alert-${i.id}-${i.pending_key ?? i.alert_count}`, delay: Math.max(0, due - now) },
        });
      }
      if (i.alert_count > 0 && i.first_alert_at) {
        const due =
          i.first_alert_at.getTime() +
          this.rules.reminderAfterMs +
          i.reminder_count * this.rules.reminderEveryMs;
        jobs.push({
          name: 'incident-timer',
          data: { incidentId: i.id, kind: 'reminder' },
          opts: { jobId: `reminder-${i.id}-${i.reminder_count}`, delay: Math.max(0, due - now) },
        });
      }
    }
    if (jobs.length) await this.hub.queue('incident-timer').addBulk(jobs);
  }

  /** The grouped offline alert (first one or an update): every pending node of the incident, in one message. */
  async alert(incidentId: string): Promise<void> {
    // Reads first, holding no connection across the enqueue (the delivery service needs one
    // of its own: holding ours while waiting for it can starve the pool under a storm).
    const { rows } = await this.pool.query<IncidentRow & { muted_until: Date | null }>(
      `SELECT i.*, u.muted_until FROM incidents i JOIN users u ON u.id = i.user_id WHERE i.id = $1`,
      [incidentId],
    );
    const inc = rows[0];
    if (!inc || inc.closed_at) return;
    const { rows: nodes } = await this.pool.query<{
      node_id: string;
      external_id: string;
      label: string | null;
      last_seen_at: Date | null;
      down_at: Date;
      alerted: boolean;
    }>(
      `SELECT n.node_id, x.external_id, x.label, n.last_seen_at, n.down_at, n.alerted_at IS NOT NULL AS alerted
         FROM incident_nodes n JOIN nodes x ON x.id = n.node_id
        WHERE n.incident_id = $1 AND n.up_at IS NULL
        ORDER BY x.external_id`,
      [incidentId],
    );
    const pending = nodes.filter((n) => !n.alerted);
    if (pending.length === 0) return;
    const still = nodes.filter((n) => n.alerted);
    const muted = !!inc.muted_until && inc.muted_until.getTime() > this.now();
    if (!muted) {
      const { rows: counts } = await this.pool.query<{ total: number; online: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'ONLINE')::int AS online FROM nodes WHERE user_id = $1`,
        [inc.user_id],
      );
      const name = (p: { external_id: string; label: string | null }) =>
        p.label ? `${p.external_id} (${p.label})` : p.external_id;
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
        // An update names the earlier drops too, so every message lists all of the owner's down nodes.
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
          params: { online: counts[0]?.online ?? 0, total: counts[0]?.total ?? 0 },
        },
      ];
      // Queued before the state changes, with a key fixed by the alert number: a retry after
      // a crash builds the same key and the delivery queue drops the duplicate.
      await this.delivery.sendToUser(inc.user_id, content, {
        dedupeKey: `incident-${incidentId}-alert-${inc.alert_count + 1}`,
        kind: 'offline-alert',
      });
    }
    // One statement, conditional on the alert number we read: of two concurrent runs one
    // records the step; the other changes nothing (its message had the same dedupe key).
    await this.pool.query(
      `WITH step AS (
         UPDATE incidents
            SET alert_count = alert_count + $4,
                last_alert_at = CASE WHEN $4 = 1 THEN now() ELSE last_alert_at END,
                first_alert_at = CASE WHEN $4 = 1 THEN COALESCE(first_alert_at, now()) ELSE first_alert_at END
          WHERE id = $1 AND alert_count = $2 AND closed_at IS NULL
          RETURNING id)
       UPDATE incident_nodes SET alerted_at = now()
        WHERE incident_id IN (SELECT id FROM step) AND node_id = ANY($3::uuid[]) AND alerted_at IS NULL`,
      // A muted owner's incident stays at alert 0: no "back online" for drops never announced.
      [incidentId, inc.alert_count, pending.map((p) => p.node_id), muted ? 0 : 1],
    );
    await this.ensureForIncident(incidentId);
  }

  async remind(incidentId: string): Promise<void> {
    const { rows } = await this.pool.query<IncidentRow & { muted_until: Date | null }>(
      `SELECT i.*, u.muted_until FROM incidents i JOIN users u ON u.id = i.user_id WHERE i.id = $1`,
      [incidentId],
    );
    const inc = rows[0];
    if (!inc || inc.closed_at || inc.alert_count === 0) return;
    const { rows: down } = await this.pool.query<{
      external_id: string;
      label: string | null;
      last_seen_at: Date | null;
      down_at: Date;
    }>(
      `SELECT x.external_id, x.label, n.last_seen_at, n.down_at FROM incident_nodes n JOIN nodes x ON x.id = n.node_id
        WHERE n.incident_id = $1 AND n.alerted_at IS NOT NULL AND n.up_at IS NULL ORDER BY x.external_id`,
      [incidentId],
    );
    if (down.length && !(inc.muted_until && inc.muted_until.getTime() > this.now())) {
      const now = this.now();
      await this.delivery.sendToUser(
        inc.user_id,
        [
          { kind: 'title', key: 'alert.reminder.title', params: { count: down.length } },
          {
            kind: 'list',
            items: down.map((d) => ({
              key: 'alert.reminder.item' as const,
              params: {
                node: d.label ? `${d.external_id} (${d.label})` : d.external_id,
                duration: { durationMs: now - (d.last_seen_at ?? d.down_at).getTime() },
              },
            })),
          },
        ],
        { dedupeKey: `incident-${incidentId}-reminder-${inc.reminder_count + 1}`, kind: 'reminder' },
      );
    }
    await this.pool.query(
      `UPDATE incidents SET reminder_count = reminder_count + 1 WHERE id = $1 AND reminder_count = $2`,
      [incidentId, inc.reminder_count],
    );
    await this.ensureForIncident(incidentId);
  }

  private async sendRecovery(inc: IncidentRow): Promise<void> {
    const { rows } = await this.pool.query<{
      external_id: string;
      label: string | null;
      last_seen_at: Date | null;
      down_at: Date;
      up_at: Date;
    }>(
      `SELECT x.external_id, x.label, n.last_seen_at, n.down_at, n.up_at FROM incident_nodes n JOIN nodes x ON x.id = n.node_id
        WHERE n.incident_id = $1 AND n.alerted_at IS NOT NULL ORDER BY x.external_id`,
      [inc.id],
    );
    if (rows.length === 0) return;
    await this.delivery.sendToUser(
      inc.user_id,
      [
        { kind: 'title', key: 'alert.recovered.title' },
        {
          kind: 'list',
          items: rows.map((r) => ({
            key: 'alert.recovered.item' as const,
            params: {
              node: r.label ? `${r.external_id} (${r.label})` : r.external_id,
              duration: { durationMs: r.up_at.getTime() - (r.last_seen_at ?? r.down_at).getTime() },
            },
          })),
        },
      ],
      { dedupeKey: `incident-${inc.id}-recovered`, kind: 'recovery' },
    );
  }
}
