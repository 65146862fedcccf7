// POST /v1/heartbeats (docs/contracts.md "Heartbeat API"). Single form: Authorization: Bearer <node token> and
// {"node_id","status","gpus"?}. Batch form for fleet agents: {"heartbeats":[{token,...}]}.
// Bad JSON or shape → 400, nothing stored; unknown/wrong token → 401. In a batch the valid
// items are stored and the rejected ones listed, so one stale token does not silence a fleet.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { hashToken } from '../accounts/tokens';
import type { TokenIndex } from '../accounts/token-index';
import type { LivenessStore } from '../notifier/liveness/store';
import type { Metrics } from './metrics';

export const MAX_BATCH = 1_000;
/** A beat stamped further in the future than this is refused (clock wrong by minutes). */
export const MAX_FUTURE_SKEW_MS = 60_000;

const gpu = z.object({ model: z.string().max(128), uuid: z.string().max(128) }).strict();
const beatFields = {
  node_id: z.string().min(1).max(128),
  status: z.enum(['online', 'offline']),
  gpus: z.array(gpu).max(64).optional(),
  /** When the agent took the reading; older readings never move last-seen forward past it. */
  sent_at: z.iso.datetime({ offset: true }).optional(),
};
const single = z.object(beatFields).strict();
const batchItem = z.object({ token: z.string().min(1).max(512), ...beatFields }).strict();
const batch = z.object({ heartbeats: z.array(batchItem).min(1).max(MAX_BATCH) }).strict();

type Beat = z.infer<typeof batchItem>;

export interface HeartbeatDeps {
  tokens: TokenIndex;
  liveness: LivenessStore;
  /** OFFLINE_GRACE_SECONDS in ms: a reading older than this is stale and changes nothing. */
  graceMs: number;
  metrics: Metrics;
  now?: () => number;
  /** GPU inventories reported with beats (fake-card evidence). */
  onGpus?: (
    reports: Array<{ nodeId: string; gpus: Array<{ model: string; uuid: string }> }>,
  ) => Promise<void>;
}

function fail(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  return reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } });
}

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export function heartbeatRoutes(deps: HeartbeatDeps) {
  const now = deps.now ?? Date.now;
  return async (app: FastifyInstance) => {
    app.post('/v1/heartbeats', { bodyLimit: 512 * 1024 }, async (req, reply) => {
      const body = req.body;
      const isBatch = typeof body === 'object' && body !== null && 'heartbeats' in body;
      const parsed = isBatch ? batch.safeParse(body) : single.safeParse(body);
      if (!parsed.success) {
        deps.metrics.heartbeatsRejected.inc({ reason: 'malformed' });
        const shape = isBatch
          ? 'The batch does not match {"heartbeats":[{"token","node_id","status"}]}.'
          : 'The body does not match {"node_id","status":"online"|"offline","gpus"?}.';
        return fail(reply, 400, 'malformed', shape, z.treeifyError(parsed.error as z.ZodError));
      }
      let beats: Beat[];
      if ('heartbeats' in parsed.data) {
        beats = parsed.data.heartbeats;
      } else {
        const token = bearer(req.headers.authorization);
        if (!token) {
          deps.metrics.heartbeatsRejected.inc({ reason: 'unauthorized' });
          return fail(reply, 401, 'unauthorized', 'Send the node token as "Authorization: Bearer <token>".');
        }
        beats = [{ ...parsed.data, token }];
      }

      const t = now();
      const owners = await deps.tokens.resolve(beats.map((b) => hashToken(b.token)));
      const accepted: Array<{ nodeId: string; at: number; beat: Beat }> = [];
      const rejected: Array<{ index: number; node_id: string; error: string }> = [];
      beats.forEach((b, index) => {
        const owner = owners[index];
        if (!owner || owner.externalId !== b.node_id) {
          rejected.push({ index, node_id: b.node_id, error: 'unauthorized' });
          return;
        }
        let at = t;
        if (b.sent_at) {
          const sent = Date.parse(b.sent_at);
          if (sent > t + MAX_FUTURE_SKEW_MS) {
            rejected.push({ index, node_id: b.node_id, error: 'clock_in_future' });
            return;
          }
          // Never later than our clock: a fast agent clock cannot keep a node "online".
          at = Math.min(sent, t);
        }
        accepted.push({ nodeId: owner.nodeId, at, beat: b });
      });

      if (accepted.length === 0) {
        deps.metrics.heartbeatsRejected.inc({ reason: 'unauthorized' }, rejected.length);
        const clock = rejected.every((r) => r.error === 'clock_in_future');
        return clock
          ? fail(reply, 400, 'clock_in_future', 'sent_at is in the future: check the node clock (NTP).')
          : fail(
              reply,
              401,
              'unauthorized',
              'Unknown token, or the token belongs to another node.',
              isBatch ? { rejected } : undefined,
            );
      }
      const online = accepted.filter((a) => a.beat.status === 'online');
      await deps.liveness.beat(
        online.map((a) => ({ nodeId: a.nodeId, at: a.at })),
        t - deps.graceMs,
      );
      // An agent that reports "offline" (clean shutdown) is down now, not after the grace time.
      const offline = accepted.filter((a) => a.beat.status === 'offline').map((a) => a.nodeId);
      if (offline.length) await deps.liveness.markDown(offline);
      const gpus = accepted
        .filter((a) => a.beat.gpus?.length)
        .map((a) => ({ nodeId: a.nodeId, gpus: a.beat.gpus! }));
      if (gpus.length && deps.onGpus) await deps.onGpus(gpus);

      deps.metrics.heartbeatsAccepted.inc(accepted.length);
      if (rejected.length) deps.metrics.heartbeatsRejected.inc({ reason: 'unauthorized' }, rejected.length);
      return reply.code(202).send({ accepted: accepted.length, ...(rejected.length ? { rejected } : {}) });
    });
  };
}
