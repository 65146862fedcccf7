// POST /v1/heartbeats (docs/contracts.md "Heartbeat API"). Single form: Authorization: Bearer <node token> and
// {"node_id","status","gpus"?}. Batch form for fleet agents: {"heartbeats":[{token,...}]}.
// Order of checks: credentials first (a request without a valid token gets 401 before its
// body is judged, so an anonymous caller never learns the schema), then shape (400), then
// the clock. In a batch each item is judged on its own: valid items are stored and the
// rejected ones listed (bad token, bad shape, bad clock), so one stale item does not
// silence a fleet. Addresses that keep failing are shed before their body is read.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hashToken } from '../accounts/tokens';
import { TokenLookupBusy, type TokenIndex, type TokenOwner } from '../accounts/token-index';
import type { IngestReporter } from '../notifier/liveness/ingest-health';
import type { LivenessStore } from '../notifier/liveness/store';
import {
  batchEnvelope,
  batchItem,
  bearer,
  itemNodeId,
  itemToken,
  readingTime,
  singleBeat,
  type Beat,
} from './heartbeat-body';
import { IngestGuard } from './ingest-guard';
import type { Metrics } from './metrics';

export { MAX_BATCH, MAX_FUTURE_SKEW_MS } from './heartbeat-body';

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
  /** Limits on unauthenticated failures (a default one when not given). */
  guard?: IngestGuard;
  /** Ingest outcomes, read by the sweep's ingest-health check. */
  reporter?: IngestReporter;
}

type Reason = 'unauthorized' | 'malformed' | 'clock_in_future' | 'stale';
interface Rejected {
  index: number;
  node_id: string | null;
  error: Reason;
  details?: unknown;
}

const MESSAGES: Record<Reason, string> = {
  unauthorized: 'Unknown token, or the token belongs to another node.',
  malformed: 'The body does not match {"node_id","status":"online"|"offline","gpus"?}.',
  clock_in_future: 'sent_at is in the future: check the node clock (NTP).',
  stale: 'sent_at is older than the offline grace time: nothing changed. Check the node clock (NTP).',
};

function fail(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  return reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } });
}

export function heartbeatRoutes(deps: HeartbeatDeps) {
  const now = deps.now ?? Date.now;
  const guard = deps.guard ?? new IngestGuard();
  const reject = (reason: Reason | 'rate_limited' | 'busy', n = 1) =>
    n > 0 && deps.metrics.heartbeatsRejected.inc({ reason }, n);

  async function refuse(req: FastifyRequest, reply: FastifyReply, wait: number, message: string) {
    reject('rate_limited');
    deps.reporter?.shed();
    // The body is never parsed; once the answer is out the socket is dropped, so a flooding
    // client pays for a new connection and holds nothing of ours meanwhile.
    reply.header('retry-after', String(wait)).header('connection', 'close');
    reply.raw.once('finish', () => req.raw.socket?.destroySoon?.());
    await fail(reply, 429, 'rate_limited', message);
    return reply;
  }

  /**
   * Before the body is read: a request showing a valid bearer token always passes. Others
   * are refused while their address (or the process) is over its failure limits, and wait
   * outside when too many bodies without credentials are being parsed already.
   */
  async function shed(req: FastifyRequest, reply: FastifyReply) {
    const token = bearer(req.headers.authorization);
    if (token) {
      const hash = hashToken(token);
      const owner = await deps.tokens.resolve([hash]).catch(() => [null]);
      // Kept for the handler: a good beat costs one token lookup, not two.
      if (owner[0]) return void known.set(req, { hash, owner: owner[0] });
    }
    const wait = guard.shedding(req.ip);
    if (wait) return refuse(req, reply, wait, `Too many failed requests; retry after ${wait} s.`);
    if (token) return;
    const release = guard.admitAnonymous();
    if (!release)
      return refuse(req, reply, 1, 'Too many requests without credentials at once; retry in a second.');
    reply.raw.once('close', release);
    reply.raw.once('finish', release);
  }

  /** Bearer tokens resolved before the body was read, per request. */
  const known = new WeakMap<FastifyRequest, { hash: string; owner: TokenOwner }>();

  async function resolve(
    req: FastifyRequest,
    hashes: Array<string | null>,
  ): Promise<Array<TokenOwner | null>> {
    const pre = known.get(req);
    if (pre && hashes.length === 1 && hashes[0] === pre.hash) return [pre.owner];
    const wanted = hashes.filter((h): h is string => h !== null);
    const found = await deps.tokens.resolve(wanted);
    let i = 0;
    return hashes.map((h) => (h === null ? null : (found[i++] ?? null)));
  }

  return async (app: FastifyInstance) => {
    app.post('/v1/heartbeats', { bodyLimit: 512 * 1024, onRequest: shed }, async (req, reply) => {
      const body = req.body;
      const isBatch = typeof body === 'object' && body !== null && 'heartbeats' in body;
      let items: Array<{ token: string | null; raw: unknown }>;
      if (isBatch) {
        const env = batchEnvelope.safeParse(body);
        if (!env.success) {
          reject('malformed');
          return fail(
            reply,
            400,
            'malformed',
            'The batch does not match {"heartbeats":[{"token","node_id","status"}]} (1 to 1000 items).',
          );
        }
        items = env.data.heartbeats.map((raw) => ({ token: itemToken(raw), raw }));
      } else {
        const token = bearer(req.headers.authorization);
        if (!token) {
          reject('unauthorized');
          guard.failed(req.ip);
          return fail(reply, 401, 'unauthorized', 'Send the node token as "Authorization: Bearer <token>".');
        }
        items = [{ token, raw: body }];
      }

      const t = now();
      let owners: Array<TokenOwner | null>;
      try {
        owners = await resolve(
          req,
          items.map((i) => (i.token ? hashToken(i.token) : null)),
        );
      } catch (err) {
        if (!(err instanceof TokenLookupBusy)) throw err;
        reject('busy', items.length);
        reply.header('retry-after', '1');
        return fail(reply, 503, 'busy', 'Token index is being rebuilt; retry in a second.');
      }
      const accepted: Array<{ nodeId: string; at: number; beat: Beat | z.infer<typeof singleBeat> }> = [];
      const rejected: Rejected[] = [];
      items.forEach((item, index) => {
        const owner = owners[index];
        const node_id = itemNodeId(item.raw);
        if (!owner) return void rejected.push({ index, node_id, error: 'unauthorized' });
        const parsed = (isBatch ? batchItem : singleBeat).safeParse(item.raw);
        if (!parsed.success) {
          const details = z.treeifyError(parsed.error as z.ZodError);
          return void rejected.push({ index, node_id, error: 'malformed', details });
        }
        if (owner.externalId !== parsed.data.node_id)
          return void rejected.push({ index, node_id, error: 'unauthorized' });
        const clock = readingTime(parsed.data.sent_at, t, deps.graceMs);
        if (!clock.ok) return void rejected.push({ index, node_id, error: clock.error });
        accepted.push({ nodeId: owner.nodeId, at: clock.at, beat: parsed.data });
      });
      for (const reason of Object.keys(MESSAGES) as Reason[])
        reject(reason, rejected.filter((r) => r.error === reason).length);

      if (accepted.length === 0) {
        const reasons = new Set(rejected.map((r) => r.error));
        if (reasons.size === 1 && reasons.has('unauthorized')) {
          guard.failed(req.ip, rejected.length);
          // Not one valid token: the list would only echo the caller's own input back.
          const list = isBatch ? { rejected: rejected.length } : undefined;
          return fail(reply, 401, 'unauthorized', MESSAGES.unauthorized, list);
        }
        // Authenticated but nothing usable: say exactly why, nothing was changed.
        const only = reasons.size === 1 ? [...reasons][0]! : null;
        const code = only ?? 'rejected';
        const message = only ? MESSAGES[only] : 'No heartbeat of the batch was accepted: see details.';
        const details = isBatch ? { rejected } : rejected[0]?.details;
        return fail(reply, 400, code, message, details);
      }

      try {
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
      } catch (err) {
        deps.reporter?.failed(accepted.length);
        throw err;
      }
      deps.reporter?.accepted(accepted.length);
      guard.succeeded(req.ip);
      deps.metrics.heartbeatsAccepted.inc(accepted.length);
      return reply.code(202).send({
        accepted: accepted.length,
        ...(rejected.length ? { rejected } : {}),
      });
    });
  };
}
