// Liveness pipeline figures for /metrics: stream length, consumer lag and pending entries,
// dead letters. Collected from Redis at scrape time, so the web role reports what the
// workers processes are doing.
import client from 'prom-client';
import type { Redis } from 'ioredis';
import { GROUP } from './consumer';
import { eventsKey } from './store';
import { streamStats } from './stream-health';

export function registerLivenessMetrics(registry: client.Registry, redis: Redis, prefix: string): void {
  const stream = eventsKey(prefix);
  const gauge = (
    name: string,
    help: string,
    pick: (s: Awaited<ReturnType<typeof streamStats>>) => number | null,
  ) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const stats = await streamStats(redis, stream, GROUP).catch(() => null);
        const v = stats ? pick(stats) : null;
        if (v !== null) this.set(v);
      },
    });
  gauge('nodedesk_liveness_stream_length', 'Entries in the liveness event stream', (s) => s.length);
  gauge('nodedesk_liveness_consumer_lag', 'Liveness events not yet read by the consumer group', (s) => s.lag);
  gauge('nodedesk_liveness_pending', 'Liveness events read but not yet applied', (s) => s.pending);
  gauge(
    'nodedesk_liveness_dead_letters',
    'Liveness events moved to the dead-letter stream',
    (s) => s.deadLetters,
  );
}
