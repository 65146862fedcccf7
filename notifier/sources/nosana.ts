// Nosana: every node serves its own `/node/info` through Nosana's ingress
// (NOSANA_NODE_URL_TEMPLATE, `{node}` = the node's public key), no auth. The node is
// offline when its host does not answer or answers anything but a 200 with JSON. The
// dashboard API adds, now and then, GPUs with UUIDs, rewards and the anti-spoof rate.
import { z } from 'zod';
import { getJson, hostOf } from './http';
import type { NetworkAdapter, VisitContext, VisitOutcome } from './network-source';
import { SourceOutage, type NodeSnapshot } from './types';

export const DASHBOARD_EVERY_MS = 3_600_000;
/** Every visit of a round failing at the transport level, with at least this many, is our side. */
export const ALL_UNREACHABLE_MIN = 3;

const info = z.object({
  node: z.string().optional(),
  uptime: z.string().nullable().optional(),
  state: z.string().max(64).nullable().optional(),
  info: z
    .object({
      country: z.string().nullable().optional(),
      gpus: z
        .object({
          devices: z
            .array(
              z.object({ name: z.string().optional(), uuid: z.string().max(128).optional() }).passthrough(),
            )
            .max(64)
            .optional(),
        })
        .passthrough()
        .nullable()
        .optional(),
    })
    .passthrough()
    .nullable()
    .optional(),
});
const specs = z
  .object({
    marketAddress: z.string().nullable().optional(),
    gpus: z
      .array(z.object({ gpu: z.string().optional(), uuid: z.string().optional() }).passthrough())
      .optional(),
    claimableUptimeNosRewards: z.number().nullable().optional(),
  })
  .passthrough();
const report = z
  .object({
    uptimePercentage: z.number().nullable().optional(),
    antiSpoofSuccessRate: z.number().nullable().optional(),
  })
  .passthrough();

export interface NosanaOptions {
  nodeUrlTemplate: string;
  dashboardUrl: string;
}

export class NosanaAdapter implements NetworkAdapter {
  readonly name = 'nosana' as const;
  readonly label: string;
  readonly concurrency = 8;

  constructor(private readonly opts: NosanaOptions) {
    this.label = `Nosana (${hostOf(opts.nodeUrlTemplate.replace('{node}', 'node'))})`;
  }

  private nodeUrl(pubkey: string) {
    return `${this.opts.nodeUrlTemplate.replace('{node}', encodeURIComponent(pubkey)).replace(/\/+$/, '')}/node/info`;
  }

  async visit(pubkey: string, ctx: VisitContext): Promise<VisitOutcome> {
    if (!(await ctx.take('node'))) return null;
    const prev = ctx.previous;
    const at = ctx.now();
    const snap: NodeSnapshot = {
      externalId: pubkey,
      rawState: 'unreachable',
      liveness: 'offline',
      observedAt: at,
      gpuModel: prev?.gpuModel ?? null,
      gpuCount: prev?.gpuCount ?? null,
      gpuUuids: prev?.gpuUuids ?? [],
      location: prev?.location ?? null,
      networkUptime: prev?.networkUptime ?? null,
      earnings: prev?.earnings ?? null,
      readiness: prev?.readiness ?? null,
      verdicts: { antiSpoofRate: prev?.verdicts?.antiSpoofRate ?? null },
      ...(prev?.hardwareAt !== undefined ? { hardwareAt: prev.hardwareAt } : {}),
    };
    try {
      const answer = await getJson(this.nodeUrl(pubkey), { timeoutMs: ctx.timeoutMs });
      const parsed = 'json' in answer ? info.safeParse(answer.json) : null;
      if (parsed?.success) {
        const d = parsed.data;
        snap.rawState = d.state ?? 'online';
        snap.liveness = 'online';
        const gpus = d.info?.gpus?.devices ?? [];
        if (gpus.length) {
          snap.gpuModel = gpus[0]!.name ?? snap.gpuModel ?? null;
          snap.gpuCount = gpus.length;
          snap.gpuUuids = gpus.flatMap((g) => (g.uuid ? [g.uuid] : []));
        }
        if (d.info?.country) snap.location = d.info.country;
        if (d.uptime) snap.networkUptime = { ...snap.networkUptime, text: `since ${d.uptime}` };
      } else {
        snap.rawState = `HTTP ${answer.status}`;
      }
    } catch (err) {
      if (!(err instanceof SourceOutage)) throw err;
      // For Nosana a host that fails to answer IS the node being offline.
      snap.rawState = err.message.startsWith('HTTP') ? err.message.split(' (')[0]! : 'unreachable';
    }
    if (at - (snap.hardwareAt ?? 0) > DASHBOARD_EVERY_MS && (await ctx.tryTake('dashboard')))
      await this.dashboard(pubkey, snap, ctx);
    return snap;
  }

  /** Specs and the benchmark report: secondary, so their failures change nothing. */
  private async dashboard(pubkey: string, snap: NodeSnapshot, ctx: VisitContext) {
    const base = this.opts.dashboardUrl.replace(/\/+$/, '');
    const key = encodeURIComponent(pubkey);
    const [s, r] = await Promise.all([
      getJson(`${base}/api/nodes/${key}/specs`, { timeoutMs: ctx.timeoutMs }).catch(() => null),
      getJson(`${base}/api/benchmarks/node-report?node=${key}`, { timeoutMs: ctx.timeoutMs }).catch(
        () => null,
      ),
    ]);
    const sp = s && 'json' in s ? specs.safeParse(s.json) : null;
    if (sp?.success) {
      snap.hardwareAt = ctx.now();
      const gpus = sp.data.gpus ?? [];
      if (gpus.length) {
        snap.gpuModel = gpus[0]!.gpu ?? snap.gpuModel ?? null;
        snap.gpuCount = gpus.length;
        const uuids = gpus.flatMap((g) => (g.uuid ? [g.uuid] : []));
        if (uuids.length) snap.gpuUuids = uuids;
      }
      if (sp.data.claimableUptimeNosRewards != null)
        snap.earnings = { amount: sp.data.claimableUptimeNosRewards, unit: 'NOS' };
      if (sp.data.marketAddress) snap.readiness = sp.data.marketAddress;
    }
    const rp = r && 'json' in r ? report.safeParse(r.json) : null;
    if (rp?.success) {
      const { uptimePercentage: up, antiSpoofSuccessRate: spoof } = rp.data;
      if (up != null) snap.networkUptime = { ...snap.networkUptime, share: up > 1 ? up / 100 : up };
      if (spoof != null) snap.verdicts.antiSpoofRate = spoof > 1 ? spoof / 100 : spoof;
    }
  }

  judge(snapshots: NodeSnapshot[]): string | null {
    if (snapshots.length < ALL_UNREACHABLE_MIN) return null;
    return snapshots.every((s) => s.rawState === 'unreachable')
      ? `none of ${snapshots.length} node hosts answered (our connection or Nosana's ingress)`
      : null;
  }
}
