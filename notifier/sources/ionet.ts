// io.net explorer (docs/contracts.md "Network sources"): the device status from
// `/v1/io-explorer/devices/{id}/summary`, or from `/details` (which also carries the status,
// the hardware and the location) when the summary budget is spent, so both budgets serve
// status; `/pow-summary` now and then for proof-of-work. Envelope {"status":"succeeded",
// "data":{…}}; 404 is the text "Not found"; a 422 means the id is not one io.net accepts.
import { z } from 'zod';
import { getJson, hostOf } from './http';
import type { NetworkAdapter, VisitContext, VisitOutcome } from './network-source';
import { SourceOutage, type Liveness, type NodeSnapshot } from './types';

/** Hardware and location change rarely: re-read `/details` this often at most. */
export const DETAILS_EVERY_MS = 6 * 3_600_000;
export const POW_EVERY_MS = 3_600_000;

const LIVENESS: Record<string, Liveness> = {
  up: 'online',
  running: 'online',
  down: 'offline',
  failed: 'offline',
  inactive: 'offline',
  blocked: 'offline',
  paused: 'maintenance',
  idle: 'other',
  unsupported: 'other',
};

export function ionetLiveness(status: string): Liveness {
  return LIVENESS[status.toLowerCase()] ?? 'other';
}

const num = z.number().nullable().optional();
const str = z.string().nullable().optional();
const envelope = z.object({ status: z.literal('succeeded'), data: z.record(z.string(), z.unknown()) });
const summary = z.object({
  status: z.string().max(64),
  device_name: str,
  status_duration: str,
  down_percentage: num,
  total_earnings: num,
  total_earnings_io_coin: num,
  last_challenge_successful: z.boolean().nullable().optional(),
});
const details = z.object({
  status: z.string().max(64).optional(),
  hardware_name: str,
  hardware_quantity: num,
  location_name: str,
  iso2: str,
  down_percentage: num,
  last_challenge_successful: z.boolean().nullable().optional(),
  readiness_info: z.object({ readiness: str }).partial().nullable().optional(),
});
const pow = z.object({ last_challenge_status: str, pow_jobs_failed: num, pow_jobs_passed: num });

export interface IonetOptions {
  baseUrl: string;
  token?: string;
  authHeader?: string;
}

export class IonetAdapter implements NetworkAdapter {
  readonly name = 'ionet' as const;
  readonly label: string;
  // One at a time: the budget paces status reads 1.5 s apart anyway.
  readonly concurrency = 1;
  private readonly base: string;

  constructor(private readonly opts: IonetOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.label = `io.net (${hostOf(opts.baseUrl)})`;
  }

  private headers(): Record<string, string> {
    return this.opts.token ? { [this.opts.authHeader ?? 'Token']: this.opts.token } : {};
  }

  private async get(id: string, endpoint: string, ctx: VisitContext) {
    const answer = await getJson(
      `${this.base}/v1/io-explorer/devices/${encodeURIComponent(id)}/${endpoint}`,
      {
        headers: this.headers(),
        timeoutMs: ctx.timeoutMs,
      },
    );
    if ('text' in answer) return null;
    const env = envelope.safeParse(answer.json);
    if (!env.success) throw new SourceOutage(`unexpected ${endpoint} payload`);
    return env.data.data;
  }

  async visit(id: string, ctx: VisitContext): Promise<VisitOutcome> {
    const prev = ctx.previous;
    const hardwareStale = !prev?.gpuModel || ctx.now() - (prev.hardwareAt ?? 0) > DETAILS_EVERY_MS;
    const kind = await ctx.take(...(hardwareStale ? ['details', 'summary'] : ['summary', 'details']));
    if (!kind) return null;
    const data = await this.get(id, kind, ctx);
    if (!data) return 'not_found';
    const at = ctx.now();
    const snap: NodeSnapshot = {
      externalId: id,
      rawState: prev?.rawState ?? 'unknown',
      liveness: prev?.liveness ?? 'other',
      observedAt: at,
      gpuModel: prev?.gpuModel ?? null,
      gpuCount: prev?.gpuCount ?? null,
      location: prev?.location ?? null,
      networkUptime: prev?.networkUptime ?? null,
      earnings: prev?.earnings ?? null,
      deviceName: prev?.deviceName ?? null,
      verdicts: { powFailed: prev?.verdicts?.powFailed ?? false },
      ...(prev?.hardwareAt !== undefined ? { hardwareAt: prev.hardwareAt } : {}),
      ...(prev?.powAt !== undefined ? { powAt: prev.powAt } : {}),
    };
    if (kind === 'summary') {
      const s = summary.safeParse(data);
      if (!s.success) throw new SourceOutage('unexpected summary payload');
      const d = s.data;
      snap.rawState = d.status.toLowerCase();
      snap.deviceName = d.device_name ?? snap.deviceName ?? null;
      snap.networkUptime = {
        ...(d.down_percentage != null ? { share: Math.max(0, 1 - d.down_percentage / 100) } : {}),
        ...(d.status_duration ? { text: d.status_duration.replace(/\.\d+$/, '') } : {}),
      };
      if (d.total_earnings_io_coin != null) snap.earnings = { amount: d.total_earnings_io_coin, unit: 'IO' };
      else if (d.total_earnings != null) snap.earnings = { amount: d.total_earnings, unit: 'USD' };
      if (d.last_challenge_successful === false) snap.verdicts.powFailed = true;
      if (d.last_challenge_successful === true) snap.verdicts.powFailed = false;
    } else {
      const s = details.safeParse(data);
      if (!s.success) throw new SourceOutage('unexpected details payload');
      const d = s.data;
      if (d.status) snap.rawState = d.status.toLowerCase();
      snap.gpuModel = d.hardware_name ?? null;
      snap.gpuCount = d.hardware_quantity ?? null;
      snap.location = d.location_name ?? d.iso2 ?? null;
      snap.hardwareAt = at;
      if (d.down_percentage != null)
        snap.networkUptime = { ...snap.networkUptime, share: Math.max(0, 1 - d.down_percentage / 100) };
      if (d.last_challenge_successful != null) snap.verdicts.powFailed = !d.last_challenge_successful;
      if (d.readiness_info?.readiness) snap.readiness = d.readiness_info.readiness;
    }
    snap.liveness = ionetLiveness(snap.rawState);
    snap.verdicts.blocked = snap.rawState === 'blocked';
    // Proof-of-work only from spare budget: it never delays a status read.
    if (at - (snap.powAt ?? 0) > POW_EVERY_MS && (await ctx.tryTake('pow'))) {
      const p = pow.safeParse(await this.get(id, 'pow-summary', ctx).catch(() => null));
      if (p.success) {
        snap.powAt = at;
        if (p.data.last_challenge_status) snap.verdicts.powFailed = p.data.last_challenge_status === 'failed';
      }
    }
    return snap;
  }
}
