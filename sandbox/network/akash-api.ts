// Akash Console API emulator: `/v1/providers/{address}` and the unpaginated `/v1/providers`,
// shaped as the Console's provider schema (isOnline, lastCheckDate, uptime shares, GPU
// models and stats). Unknown addresses answer 404.
import type { FastifyInstance } from 'fastify';

export interface AkashProvider {
  owner: string;
  name: string | null;
  hostUri: string;
  isOnline: boolean;
  lastCheckDate: string;
  lastOnlineDate: string | null;
  uptime1d: number;
  uptime7d: number;
  uptime30d: number;
  gpuModels: Array<{ vendor: string; model: string; ram: string; interface: string }>;
  gpu: { active: number; available: number; pending: number };
  ipCountry: string | null;
}

export class AkashStateStore {
  readonly providers = new Map<string, AkashProvider>();

  add(p: Partial<AkashProvider> & { owner: string }): AkashProvider {
    const now = new Date().toISOString();
    const provider: AkashProvider = {
      name: null,
      hostUri: `https://provider.${p.owner.slice(6, 14)}.example:8443`,
      isOnline: true,
      lastCheckDate: now,
      lastOnlineDate: now,
      uptime1d: 1,
      uptime7d: 0.99,
      uptime30d: 0.98,
      gpuModels: [{ vendor: 'nvidia', model: 'h100', ram: '80Gi', interface: 'SXM5' }],
      gpu: { active: 4, available: 4, pending: 0 },
      ipCountry: 'Netherlands',
      ...this.providers.get(p.owner),
      ...p,
    };
    this.providers.set(p.owner, provider);
    return provider;
  }

  setOnline(owner: string, isOnline: boolean): AkashProvider {
    const now = new Date().toISOString();
    return this.add({ owner, isOnline, lastCheckDate: now, ...(isOnline ? { lastOnlineDate: now } : {}) });
  }
}

function wire(p: AkashProvider) {
  const { gpu, ...rest } = p;
  return {
    ...rest,
    createdHeight: 865,
    isValidVersion: true,
    isAudited: false,
    ipRegion: null,
    stats: {
      cpu: { active: 0, available: 0, pending: 0 },
      gpu,
      memory: { active: 0, available: 0, pending: 0 },
      storage: {
        ephemeral: { active: 0, available: 0, pending: 0 },
        persistent: { active: 0, available: 0, pending: 0 },
      },
    },
    uptime: [{ id: 'check-1', isOnline: p.isOnline, checkDate: p.lastCheckDate }],
  };
}

export function akashRoutes(app: FastifyInstance, state: AkashStateStore, prefix: string) {
  app.get(`${prefix}/v1/providers`, async () => [...state.providers.values()].map(wire));
  app.get<{ Params: { address: string } }>(`${prefix}/v1/providers/:address`, async (req, reply) => {
    const p = state.providers.get(req.params.address);
    if (!p) return reply.code(404).send({ error: 'NotFoundError', message: 'Provider not found' });
    return wire(p);
  });
}
