// The relay's per-message statements in plain SQL on the pool. Every relayed message is
// stored, read back and marked by these; through the ORM each one cost a query
// compilation and, for the store, a four-round-trip interactive transaction. The
// benchmark (bench/tickets) spent over a third of its CPU there and fell behind 45 msg/s.
import type { Platform, TicketMessage, TicketMessageKind, TicketState } from '@prisma/client';
import type pg from 'pg';
import type { MessageRef } from '../core/conversation';

const MESSAGE_COLUMNS = `id::text AS id, ticket_id AS "ticketId", kind,
  author_identity_id AS "authorIdentityId", author_name AS "authorName", platform,
  source_key AS "sourceKey", body, relay_ref AS "relayRef", relayed_at AS "relayedAt",
  relay_error AS "relayError", edited_at AS "editedAt", created_at AS "createdAt"`;

type MessageRow = Omit<TicketMessage, 'id'> & { id: string };
const toMessage = (r: MessageRow): TicketMessage => ({ ...r, id: BigInt(r.id) });

/** What storing a message changes on its ticket (the fields the relay sets). */
export interface TicketTouch {
  state?: TicketState;
  lastUserMessageAt?: Date;
  lastStaffMessageAt?: Date;
  lastActivityAt?: Date;
  idleWarnDueAt?: Date | null;
  idleWarnedAt?: Date | null;
  firstResponseAt?: Date;
  firstResponderId?: string;
}

const TOUCH_COLUMNS: Record<keyof TicketTouch, string> = {
  state: 'state = $%::"TicketState"',
  lastUserMessageAt: 'last_user_message_at = $%::timestamptz',
  lastStaffMessageAt: 'last_staff_message_at = $%::timestamptz',
  lastActivityAt: 'last_activity_at = $%::timestamptz',
  idleWarnDueAt: 'idle_warn_due_at = $%::timestamptz',
  idleWarnedAt: 'idle_warned_at = $%::timestamptz',
  firstResponseAt: 'first_response_at = $%::timestamptz',
  firstResponderId: 'first_responder_id = $%::uuid',
};

export interface NewMessage {
  ticketId: string;
  kind: TicketMessageKind;
  authorIdentityId: string;
  authorName: string;
  platform: Platform;
  sourceKey: string;
  body: string;
  relayedAt: Date | null;
  attachments: Array<{
    name: string;
    contentType: string;
    size: number;
    data: Uint8Array | null;
    sourceRef: string | null;
  }>;
}

/**
 * One statement: the message (keyed by its source message: the same one again stores
 * nothing and returns null), its attachments, and the ticket's timestamps and state, the
 * ticket only while it is not closed. `db`: the pool, or a client inside a transaction.
 */
export async function insertMessage(
  db: pg.Pool | pg.PoolClient,
  m: NewMessage,
  touch: TicketTouch,
): Promise<TicketMessage | null> {
  const att = m.attachments;
  const params: unknown[] = [
    m.ticketId,
    m.kind,
    m.authorIdentityId,
    m.authorName,
    m.platform,
    m.sourceKey,
    m.body,
    m.relayedAt,
    att.map((a) => a.name),
    att.map((a) => a.contentType),
    att.map((a) => a.size),
    att.map((a) => (a.data ? Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength) : null)),
    att.map((a) => a.sourceRef),
  ];
  const sets: string[] = [];
  for (const [field, value] of Object.entries(touch) as Array<[keyof TicketTouch, unknown]>) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(TOUCH_COLUMNS[field].replace('%', String(params.length)));
  }
  sets.push('updated_at = now()');
  const { rows } = await db.query<MessageRow>(
    `WITH m AS (
       INSERT INTO ticket_messages
         (ticket_id, kind, author_identity_id, author_name, platform, source_key, body, relayed_at)
       VALUES ($1::uuid, $2::"TicketMessageKind", $3::uuid, $4, $5::"Platform", $6, $7, $8::timestamptz)
       ON CONFLICT (ticket_id, source_key) DO NOTHING
       RETURNING *
     ), a AS (
       INSERT INTO ticket_attachments (message_id, name, content_type, size, data, source_ref)
       SELECT m.id, x.name, x.content_type, x.size, x.data, x.source_ref
         FROM m, unnest($9::text[], $10::text[], $11::int[], $12::bytea[], $13::text[])
           AS x(name, content_type, size, data, source_ref)
     ), t AS (
       UPDATE tickets SET ${sets.join(', ')}
        WHERE id = $1::uuid AND state <> 'CLOSED' AND EXISTS (SELECT 1 FROM m)
     )
     SELECT ${MESSAGE_COLUMNS} FROM m`,
    params,
  );
  return rows[0] ? toMessage(rows[0]) : null;
}

export type PendingMessage = TicketMessage & {
  attachments: Array<{ name: string; contentType: string; size: number; data: Uint8Array | null }>;
};

/**
 * The ticket's user and staff messages the other side has not seen (nor failed), oldest
 * first: by the column `m.id`, not the output's `id`, which is text ("10" before "9").
 */
export async function pendingMessages(pool: pg.Pool, ticketId: string): Promise<PendingMessage[]> {
  const { rows } = await pool.query<
    MessageRow & { files: Array<{ name: string; contentType: string; size: number; data: string | null }> }
  >(
    `SELECT ${MESSAGE_COLUMNS},
            COALESCE((SELECT json_agg(json_build_object('name', a.name, 'contentType', a.content_type,
                        'size', a.size, 'data', encode(a.data, 'base64')) ORDER BY a.id)
                        FROM ticket_attachments a WHERE a.message_id = m.id), '[]') AS files
       FROM ticket_messages m
      WHERE ticket_id = $1::uuid AND relayed_at IS NULL AND relay_error IS NULL
        AND kind IN ('USER', 'STAFF')
      ORDER BY m.id`,
    [ticketId],
  );
  return rows.map(({ files, ...r }) => ({
    ...toMessage(r),
    attachments: files.map((f) => ({ ...f, data: f.data === null ? null : Buffer.from(f.data, 'base64') })),
  }));
}

/** The message reached the other side: never relayed again. */
export async function markRelayed(pool: pg.Pool, id: bigint, ref: MessageRef): Promise<void> {
  await pool.query(`UPDATE ticket_messages SET relayed_at = $2, relay_ref = $3::jsonb WHERE id = $1`, [
    String(id),
    new Date(),
    JSON.stringify(ref),
  ]);
}
