// Akash: a provider's status from the Console API, `GET {AKASH_CONSOLE_API_URL}/v1/providers/
// {address}` (public): `isOnline` as Console's own checks last saw it, uptime shares over
// 1/7/30 days, GPU models and counts. A 404 means Console does not know the address.
import { z } from 'zod';
import { getJson, hostOf } from './http';
import type { NetworkAdapter, VisitContext, VisitOutcome } from './network-source';
import { SourceOutage, type NodeSnapshot } from './types';

const stat = z.object({ active: z.number(), available: z.number(), pending: z.number() }).partial();
const provider = z
  .object({
    owner: z.string(),
    name: z.string().nullable().optional(),
    isOnline: z.boolean().nullable().optional(),
    lastCheckDate: z.string().nullable().optional(),
    lastOnlineDate: z.string().nullable().optional(),
    uptime1d: z.number().nullable().optional(),
    uptime7d: z.number().nullable().optional(),
    uptime30d: z.number().nullable().optional(),
    ipCountry: z.string().nullable().optional(),
    ipRegion: z.string().nullable().optional(),
    gpuModels: z
      .array(
        z.union([
          z.string(),
          z.object({ vendor: z.string().optional(), model: z.string().optional() }).passthrough(),
        ]),
      )
      .optional(),
    stats: z.object({ gpu: stat.optional() }).passthrough().optional(),
  })
  .passthrough();

export class AkashAdapter implements NetworkAdapter {
  readonly name = 'akash' as const;
  readonly label: string;
  readonly concurrency = 4;
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.label = `Akash Console (${hostOf(baseUrl)})`;
  }

  async visit(address: string, ctx: VisitContext): Promise<VisitOutcome> {
    if (!(await ctx.take('provider'))) return null;
    const answer = await getJson(`${this.base}/v1/providers/${encodeURIComponent(address)}`, {
      timeoutMs: ctx.timeoutMs,
    });
    if ('text' in answer) return 'not_found';
    const p = provider.safeParse(answer.json);
    if (!p.success) throw new SourceOutage('unexpected provider payload');
    const d = p.data;
    const models = (d.gpuModels ?? []).map((g) =>
      typeof g === 'string' ? g : [g.vendor, g.model].filter(Boolean).join(' '),
    );
    const gpu = d.stats?.gpu;
    const gpuCount = gpu ? (gpu.active ?? 0) + (gpu.available ?? 0) + (gpu.pending ?? 0) : null;
    const share = d.uptime7d ?? d.uptime1d ?? null;
    const snap: NodeSnapshot = {
      externalId: address,
      rawState: d.isOnline ? 'online' : d.isOnline === false ? 'offline' : 'unchecked',
      liveness: d.isOnline ? 'online' : d.isOnline === false ? 'offline' : 'other',
      observedAt: ctx.now(),
      gpuModel: models[0] ?? null,
      gpuCount,
      gpuUuids: [],
      location: d.ipCountry ?? d.ipRegion ?? null,
      networkUptime:
        share !== null
          ? { share, text: `1 d ${pct(d.uptime1d)}, 7 d ${pct(d.uptime7d)}, 30 d ${pct(d.uptime30d)}` }
          : null,
      earnings: null,
      ownerWallet: d.owner,
      deviceName: d.name ?? null,
      verdicts: {},
    };
    return snap;
  }
}

function pct(v: number | null | undefined) {
  return v == null ? 'n/a' : `${(v * 100).toFixed(1)}%`;
}
