// /metrics for the network sources: how many devices each can watch per poll interval at
// its configured request budget, how many it watches, the interval each device really
// gets, and whether its API answers. Read from the configuration and Redis, so the web
// role shows what the workers do.
import client from 'prom-client';
import type { Redis } from 'ioredis';
import { SourceHealth } from '../liveness/source-health';
import { capacity, type SourceSettings } from './build';
import { DeviceScheduler } from './scheduler';

export function registerNetworkSourceMetrics(
  registry: client.Registry,
  settings: SourceSettings,
  redis: Redis,
  prefix: string,
): void {
  if (settings.networks.length === 0) return;
  const health = new SourceHealth(redis, prefix);
  const schedulers = settings.networks.map((n) => ({ n, s: new DeviceScheduler(redis, prefix, n.name) }));
  new client.Gauge({
    name: 'nodedesk_network_devices_per_interval',
    help: 'Devices a network source can visit once per POLL_INTERVAL_SECONDS within its request budget',
    labelNames: ['network'],
    registers: [registry],
    collect() {
      for (const n of settings.networks)
        this.set({ network: n.name }, capacity(n, settings.everyMs).devicesPerInterval);
    },
  });
  new client.Gauge({
    name: 'nodedesk_network_watched_devices',
    help: 'Devices a network source watches (hot: just changed or down, visited first)',
    labelNames: ['network', 'queue'],
    registers: [registry],
    async collect() {
      for (const { n, s } of schedulers) {
        const c = await s.counts().catch(() => null);
        if (!c) continue;
        this.set({ network: n.name, queue: 'hot' }, c.hot);
        this.set({ network: n.name, queue: 'cold' }, c.cold);
      }
    },
  });
  new client.Gauge({
    name: 'nodedesk_network_device_interval_seconds',
    help: 'Interval each watched device actually gets: the poll interval, or longer when the budget is the limit',
    labelNames: ['network'],
    registers: [registry],
    async collect() {
      for (const { n, s } of schedulers) {
        const c = await s.counts().catch(() => null);
        if (c) this.set({ network: n.name }, capacity(n, settings.everyMs, c.hot + c.cold).intervalMs / 1000);
      }
    },
  });
  new client.Gauge({
    name: 'nodedesk_network_source_up',
    help: '1 while the network API answers, 0 during an outage (its nodes are unknown)',
    labelNames: ['network'],
    registers: [registry],
    async collect() {
      for (const n of settings.networks) {
        const h = await health.get(n.name).catch(() => null);
        if (h) this.set({ network: n.name }, h.ok ? 1 : 0);
      }
    },
  });
}
