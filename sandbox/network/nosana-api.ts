// Nosana emulator: each node's `/node/info` (behind `/nosana/{pubkey}`, standing in for
// `{pubkey}.node.k8s.prd.nos.ci`), and the dashboard's `specs` and benchmark `node-report`.
// A node can stop answering (connection reset, as a dead host behind the ingress) or
// answer 502 as the ingress does for a node it cannot reach.
import type { FastifyInstance } from 'fastify';

export type NosanaState =
  | 'RUNNING_JOB'
  | 'BENCHMARKING'
  | 'HEALTHCHECK'
  | 'RESTARTING'
  | 'STARTING'
  | 'JOINING_MARKET'
  | 'QUEUED'
  | 'OTHER';

export interface NosanaNode {
  pubkey: string;
  state: NosanaState;
  /** ok = answers; reset = the host does not answer; 502 = the ingress answers for it. */
  answer: 'ok' | 'reset' | '502';
  country: string;
  gpus: Array<{ name: string; uuid: string }>;
  startedAt: string;
  rewards: number;
  uptimePercentage: number;
  antiSpoofSuccessRate: number;
  market: string;
}

export class NosanaStateStore {
  readonly nodes = new Map<string, NosanaNode>();

  add(n: Partial<NosanaNode> & { pubkey: string }): NosanaNode {
    const node: NosanaNode = {
      state: 'QUEUED',
      answer: 'ok',
      country: 'US',
      gpus: [{ name: 'NVIDIA GeForce RTX 4090', uuid: 'GPU-9046e9e9-a168-f14a-617f-5cc97de04235' }],
      startedAt: new Date().toISOString(),
      rewards: 12.5,
      uptimePercentage: 99.2,
      antiSpoofSuccessRate: 1,
      market: '97G9NnvBDQ2WpKu6fasoMsAKmfj63C9rhysJnkeWodAf',
      ...this.nodes.get(n.pubkey),
      ...n,
    };
    this.nodes.set(n.pubkey, node);
    return node;
  }
}

export function nosanaRoutes(
  app: FastifyInstance,
  state: NosanaStateStore,
  nodePrefix: string,
  dashPrefix: string,
) {
  app.get<{ Params: { pubkey: string } }>(`${nodePrefix}/:pubkey/node/info`, async (req, reply) => {
    const n = state.nodes.get(req.params.pubkey);
    if (!n || n.answer === 'reset') {
      reply.hijack();
      req.raw.socket.destroy();
      return reply;
    }
    if (n.answer === '502')
      return reply.code(502).type('text/html').send('<html><body>502 Bad Gateway</body></html>');
    return {
      node: n.pubkey,
      uptime: n.startedAt,
      state: n.state,
      info: {
        version: '1.1.9-rc',
        country: n.country,
        network: { ping_ms: 20, download_mbps: 770, upload_mbps: 37 },
        cpu: { model: 'AMD Ryzen 9 5900X 12-Core Processor', logical_cores: 24, physical_cores: 12 },
        disk_gb: 599,
        ram_mb: 64226,
        gpus: {
          devices: n.gpus.map((g, index) => ({
            index,
            name: g.name,
            uuid: g.uuid,
            memory: { total_mb: 24082.88 },
          })),
          cuda_driver_version: 13.1,
        },
      },
    };
  });
  app.get<{ Params: { pubkey: string } }>(`${dashPrefix}/api/nodes/:pubkey/specs`, async (req, reply) => {
    const n = state.nodes.get(req.params.pubkey);
    if (!n) return reply.code(404).send({ error: 'Node not found' });
    return {
      nodeAddress: n.pubkey,
      marketAddress: n.market,
      country: n.country,
      gpus: n.gpus.map((g) => ({ gpu: g.name, uuid: g.uuid, memory: 24564 })),
      claimableUptimeNosRewards: n.rewards,
    };
  });
  app.get<{ Querystring: { node?: string } }>(
    `${dashPrefix}/api/benchmarks/node-report`,
    async (req, reply) => {
      const n = req.query.node ? state.nodes.get(req.query.node) : undefined;
      if (!n) return reply.code(404).send({ error: 'Node not found' });
      return {
        node: n.pubkey,
        uptimePercentage: n.uptimePercentage,
        uptimeTestCount: 288,
        antiSpoofSuccessRate: n.antiSpoofSuccessRate,
        antiSpoofTestCount: 24,
      };
    },
  );
}
