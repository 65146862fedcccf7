// io.net explorer emulator: `/v1/io-explorer/devices/{id}/summary|details|pow-summary` with
// the real envelope {"status":"succeeded","data":{…}}, 404 as the text "Not found", 422 as
// {"detail":[{loc,msg,type}]}, the documented limits (150/10 s overall, 100/5 min each for
// summary and details) answered with 429, an optional token (401 when missing or expired),
// and API lag: the summary may keep reporting the old status for a while after a change.
import type { FastifyInstance } from 'fastify';

export type IonetStatus =
  'up' | 'running' | 'idle' | 'paused' | 'down' | 'failed' | 'blocked' | 'unsupported' | 'inactive';

export interface IonetDevice {
  id: string;
  name: string;
  status: IonetStatus;
  hardware: string;
  quantity: number;
  location: string;
  iso2: string;
  earningsIo: number;
  downPercentage: number;
  lastChallengeOk: boolean;
  statusSince: number;
  /** The summary reports this status until `lagUntil` (the real API lags after relaunches). */
  lagged?: { status: IonetStatus; until: number };
}

export interface IonetLimit {
  name: string;
  limit: number;
  windowMs: number;
}
export const IONET_DOCUMENTED_LIMITS: IonetLimit[] = [
  { name: 'overall', limit: 150, windowMs: 10_000 },
  { name: 'summary', limit: 100, windowMs: 300_000 },
  { name: 'details', limit: 100, windowMs: 300_000 },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const hh = String(Math.floor((s % 86_400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${d} days ${hh}:${mm}:${ss}`;
}

export class IonetState {
  readonly devices = new Map<string, IonetDevice>();
  token: string | null = null;
  limits: IonetLimit[] | null = IONET_DOCUMENTED_LIMITS;
  /** Accepted request times per limit name (for the limits and for tests). */
  readonly hits = new Map<string, number[]>();
  rejected429 = 0;

  constructor(readonly clock: () => number) {}

  add(d: Partial<IonetDevice> & { id: string }): IonetDevice {
    const now = this.clock();
    const device: IonetDevice = {
      name: `io-worker-${d.id.slice(0, 8)}`,
      status: 'up',
      hardware: 'NVIDIA GeForce RTX 4090',
      quantity: 1,
      location: 'Canada',
      iso2: 'CA',
      earningsIo: 0,
      downPercentage: 0,
      lastChallengeOk: true,
      statusSince: now,
      ...this.devices.get(d.id),
      ...d,
    };
    this.devices.set(d.id, device);
    return device;
  }

  setStatus(id: string, status: IonetStatus, opts: { lagMs?: number } = {}): IonetDevice {
    const d = this.devices.get(id);
    if (!d) throw new Error(`no io.net device ${id}`);
    const now = this.clock();
    if (opts.lagMs) d.lagged = { status: d.status, until: now + opts.lagMs };
    else delete d.lagged;
    if (d.status !== status) d.statusSince = now;
    d.status = status;
    return d;
  }

  private reportedStatus(d: IonetDevice, endpoint: string): IonetStatus {
    if (endpoint === 'summary' && d.lagged && this.clock() < d.lagged.until) return d.lagged.status;
    return d.status;
  }

  /** Counts the request against every applicable limit; false = over a limit (429). */
  admit(kind: string): boolean {
    if (!this.limits) return true;
    const now = this.clock();
    const applicable = this.limits.filter((l) => l.name === 'overall' || l.name === kind);
    for (const l of applicable) {
      const log = (this.hits.get(l.name) ?? []).filter((t) => t > now - l.windowMs);
      this.hits.set(l.name, log);
      if (log.length >= l.limit) {
        this.rejected429++;
        return false;
      }
    }
    for (const l of applicable) this.hits.get(l.name)!.push(now);
    return true;
  }

  summary(d: IonetDevice) {
    const status = this.reportedStatus(d, 'summary');
    return {
      device_id: d.id,
      device_name: d.name,
      status,
      status_duration: `${duration(this.clock() - d.statusSince)}.208203`,
      is_working: status === 'running',
      last_audit_successful: true,
      last_challenge_successful: d.lastChallengeOk,
      total_download_traffic: 1764.0,
      total_upload_traffic: 640.0,
      total_compute_hours_served: 0,
      total_jobs: 1,
      total_earnings: 0.0,
      total_earnings_io_coin: d.earningsIo,
      total_slashed_earnings: 0.0,
      total_slahed_io_coin: 0.0,
      download_speed_mbps: 96.0,
      upload_speed_mbps: 61.0,
      connectivity_tier: 1,
      down_percentage: d.downPercentage,
      downtime_by_date: {},
    };
  }

  details(d: IonetDevice) {
    return {
      base_tier_name: 'Ultra High Speed',
      device_id: d.id,
      status: this.reportedStatus(d, 'details'),
      down_percentage: d.downPercentage,
      download_speed_mbps: 2775.1,
      downtime_by_date: {},
      hardware_name: d.hardware,
      hardware_quantity: d.quantity,
      iso2: d.iso2,
      jobs: [],
      location_name: d.location,
      security_soc2: false,
      upload_speed_mbps: 1972.54,
      last_challenge_successful: d.lastChallengeOk,
      readiness_info: {
        readiness: d.status === 'up' || d.status === 'running' ? 'Cluster Ready' : 'Pending',
      },
    };
  }
}

export function ionetRoutes(app: FastifyInstance, state: IonetState, prefix: string) {
  app.get<{ Params: { id: string; endpoint: string } }>(
    `${prefix}/v1/io-explorer/devices/:id/:endpoint`,
    async (req, reply) => {
      const { id, endpoint } = req.params;
      if (!['summary', 'details', 'pow-summary'].includes(endpoint))
        return reply.code(404).type('text/plain').send('Not found');
      if (state.token !== null && req.headers['token'] !== state.token)
        return reply.code(401).send({ detail: 'Could not validate credentials' });
      if (!state.admit(endpoint))
        return reply.code(429).header('retry-after', '10').send({ detail: 'Too Many Requests' });
      if (!UUID.test(id))
        return reply.code(422).send({
          detail: [{ loc: ['path', 'device_id'], msg: 'value is not a valid uuid', type: 'type_error.uuid' }],
        });
      const d = state.devices.get(id);
      if (!d) return reply.code(404).type('text/plain').send('Not found');
      const data =
        endpoint === 'summary'
          ? state.summary(d)
          : endpoint === 'details'
            ? state.details(d)
            : {
                device_id: d.id,
                last_challenge_status: d.lastChallengeOk ? 'succeeded' : 'failed',
                pow_jobs_failed: d.lastChallengeOk ? 0 : 1,
                pow_jobs_passed: d.lastChallengeOk ? 1 : 0,
              };
      return { status: 'succeeded', data };
    },
  );
}
