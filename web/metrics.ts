// Prometheus metrics. One registry per process (not prom-client's global), so tests and
// several roles in one process never collide.
import client from 'prom-client';
import type { QueueHub } from '../core/queue';
import { registerLivenessMetrics } from '../notifier/liveness/metrics';

export interface Metrics {
  registry: client.Registry;
  heartbeatsAccepted: client.Counter;
  heartbeatsRejected: client.Counter<'reason'>;
}

export function createMetrics(hub?: QueueHub): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'nodedesk_' });
  if (hub) registerLivenessMetrics(registry, hub.redis, hub.prefix);
  if (hub) {
    new client.Gauge({
      name: 'nodedesk_queue_jobs',
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        const depths = await hub.depths().catch(() => null);
        if (!depths) return;
        for (const [queue, counts] of Object.entries(depths)) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      },
    });
  }
  return {
    registry,
    heartbeatsAccepted: new client.Counter({
      name: 'nodedesk_heartbeats_accepted_total',
      help: 'Node heartbeats accepted',
      registers: [registry],
    }),
    heartbeatsRejected: new client.Counter({
      name: 'nodedesk_heartbeats_rejected_total',
      help: 'Node heartbeats rejected, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
