// What an incident should cause, derived from its state in PostgreSQL, so every call is
// idempotent: the first grouped alert after the group wait, updates for later drops at
// most every few minutes, reminders while nodes stay down, one "back online" message.
// Timers are BullMQ jobs whose ids name the step; deliveries carry a dedupe key per step.
import type pg from 'pg';
import type { QueueHub } from '../../core/queue';
import type { DeliveryService } from '../delivery/service';
import { alertDue, DUE_BATCH, FIRST_DUE_BATCH, hasDueAlerts, remindDue } from './due';

/** Granularity of coalesced timers: a step runs at most this late. */
const DUE_SLOT_MS = 100;
/** Longest that first alerts wait for a liveness backlog: a stuck consumer must not mute them. */
const MAX_BACKLOG_HOLD_MS = 10_000;

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

// One pass over each incident's nodes (not three correlated subqueries): a mass outage reads
// 10,000 incidents here at once.
const INCIDENT_SQL = `
  SELECT i.*, a.pending, a.pending_key, a.down_alerted
    FROM incidents i
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE n.alerted_at IS NULL AND n.up_at IS NULL)::int AS pending,
             (extract(epoch FROM max(n.down_at) FILTER (WHERE n.alerted_at IS NULL AND n.up_at IS NULL)) * 1000)::bigint::text AS pending_key,
             count(*) FILTER (WHERE n.alerted_at IS NOT NULL AND n.up_at IS NULL)::int AS down_alerted
        FROM incident_nodes n WHERE n.incident_id = i.id) a`;

export class IncidentEffects {
  constructor(
    private readonly pool: pg.Pool,
    private readonly hub: QueueHub,
    private readonly delivery: DeliveryService,
    private readonly rules: AlertRules,
    private readonly now: () => number = Date.now,
    /**
     * Whether liveness events are still waiting to be applied. While they are, first alerts
     * wait for them (at most MAX_BACKLOG_HOLD_MS): the group wait is meant to gather an
     * owner's drops into one message, and a drop still in the stream would otherwise follow
     * minutes later as an update.
     */
    private readonly backlog?: () => Promise<boolean>,
  ) {}

  private heldSince: number | null = null;

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
      // Watch rows (`<device>~<user>`) are named by their device.
      `SELECT n.id, split_part(n.external_id, '~', 1) AS external_id, n.user_id, n.flapping_since AS since,
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

  /**
   * Schedules what the incidents need next. Timers are coalesced by due time (250 ms
   * slots): one job per slot runs every step due by then, in batches (due.ts), so a mass
   * outage queues a handful of jobs, not one per owner.
   */
  private async ensure(rows: IncidentRow[]): Promise<void> {
    const now = this.now();
    const slots = new Set<number>();
    for (const i of rows) {
      if (i.closed_at) {
        if (i.alert_count > 0) await this.sendRecovery(i);
        continue;
      }
      if (i.pending > 0)
        slots.add(
          i.alert_count === 0
            ? i.opened_at.getTime() + this.rules.groupWaitMs
            : (i.last_alert_at?.getTime() ?? now) + this.rules.updateIntervalMs,
        );
      if (i.alert_count > 0 && i.first_alert_at)
        slots.add(
          i.first_alert_at.getTime() +
            this.rules.reminderAfterMs +
            i.reminder_count * this.rules.reminderEveryMs,
        );
    }
    const due = new Set([...slots].map((t) => Math.ceil(Math.max(t, now) / DUE_SLOT_MS) * DUE_SLOT_MS));
    if (due.size === 0) return;
    await this.hub.queue('incident-timer').addBulk(
      [...due].map((slot) => ({
        name: 'incident-timer' as const,
        data: { incidentId: '', kind: 'due' as const },
        // Removed when done: a later step due in the same slot must be able to queue it again.
        opts: { jobId: `due-${slot}`, delay: Math.max(0, slot - now), removeOnComplete: true },
      })),
    );
  }

  /** Every step due now, batch after batch; then what those incidents need next. */
  async runDue(): Promise<{ alerted: number; reminded: number }> {
    let alerted = 0;
    let reminded = 0;
    const hold = await this.holdForBacklog();
    // What the stepped incidents need next is scheduled once every batch is queued: in a
    // mass outage, re-reading one batch's incidents before queueing the next one's alerts
    // would hold those alerts back (about 0.4 s per 5,000 on a loaded host).
    const stepped = new Set<string>();
    for (let limit = FIRST_DUE_BATCH; ; limit = DUE_BATCH) {
      const now = new Date(this.now());
      const a = hold ? [] : await alertDue(this.pool, this.delivery, this.rules, now, undefined, limit);
      const r = await remindDue(this.pool, this.delivery, this.rules, now);
      alerted += a.length;
      reminded += r.length;
      for (const id of [...a, ...r]) stepped.add(id);
      if (a.length < limit && r.length < DUE_BATCH) break;
    }
    const ids = [...stepped];
    for (let i = 0; i < ids.length; i += DUE_BATCH)
      await this.ensureForIncidents(ids.slice(i, i + DUE_BATCH));
    // Steps skipped because the liveness consumer held their incident: again one slot later.
    if (await hasDueAlerts(this.pool, this.rules, new Date(this.now()))) {
      const slot = Math.ceil((this.now() + DUE_SLOT_MS) / DUE_SLOT_MS) * DUE_SLOT_MS;
      await this.hub
        .queue('incident-timer')
        .add(
          'incident-timer',
          { incidentId: '', kind: 'due' },
          { jobId: `due-${slot}`, delay: Math.max(0, slot - this.now()), removeOnComplete: true },
        );
    }
    return { alerted, reminded };
  }

  /** True while alerts should wait for the liveness consumer (bounded, see `backlog`). */
  private async holdForBacklog(): Promise<boolean> {
    const behind = this.backlog ? await this.backlog().catch(() => false) : false;
    if (!behind) {
      this.heldSince = null;
      return false;
    }
    this.heldSince ??= this.now();
    return this.now() - this.heldSince < MAX_BACKLOG_HOLD_MS;
  }

  async ensureForIncidents(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { rows } = await this.pool.query<IncidentRow>(`${INCIDENT_SQL} WHERE i.id = ANY($1::uuid[])`, [
      ids,
    ]);
    await this.ensure(rows);
  }

  /** The grouped offline alert (first one or an update) of one incident, when due. */
  async alert(incidentId: string): Promise<void> {
    const done = await alertDue(this.pool, this.delivery, this.rules, new Date(this.now()), [incidentId]);
    await this.ensureForIncidents(done.length ? done : [incidentId]);
  }

  async remind(incidentId: string): Promise<void> {
    const done = await remindDue(this.pool, this.delivery, this.rules, new Date(this.now()), [incidentId]);
    await this.ensureForIncidents(done.length ? done : [incidentId]);
  }

  private async sendRecovery(inc: IncidentRow): Promise<void> {
    const { rows } = await this.pool.query<{
      external_id: string;
      label: string | null;
      last_seen_at: Date | null;
      down_at: Date;
      up_at: Date;
    }>(
      `SELECT split_part(x.external_id, '~', 1) AS external_id, x.label, n.last_seen_at, n.down_at, n.up_at FROM incident_nodes n JOIN nodes x ON x.id = n.node_id
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
