// The snapshot sources NODE_SOURCE turns on, built from the configuration: the reference
// poller and the real networks, each network with its request budget and its scheduler.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Config } from '../../core/config';
import type { NetworkViewStore } from '../network-view';
import { AkashAdapter } from './akash';
import { BUDGET_SAFETY_MS, credentialName, RequestBudget, type RateLimitSpec } from './budget';
import { IonetAdapter } from './ionet';
import { NetworkSource, type Clock, type NetworkAdapter } from './network-source';
import { NosanaAdapter } from './nosana';
import { PollSource, type NetworkNode } from './poller';
import { DeviceScheduler } from './scheduler';
import type { NetworkName, SnapshotSource } from './types';

export interface NetworkSettings {
  name: NetworkName;
  adapter: () => NetworkAdapter;
  credential: string;
  limits: RateLimitSpec[];
  /** Request kinds that read a device's status (the capacity is theirs). */
  statusKinds: string[];
}

export interface SourceSettings {
  pollUrl?: string;
  networks: NetworkSettings[];
  everyMs: number;
  graceMs: number;
}

export function sourceSettingsFromConfig(config: Config): SourceSettings {
  const on = (s: string) => (config.NODE_SOURCE as readonly string[]).includes(s);
  const networks: NetworkSettings[] = [];
  if (on('ionet'))
    networks.push({
      name: 'ionet',
      adapter: () =>
        new IonetAdapter({
          baseUrl: config.IONET_API_URL,
          ...(config.IONET_API_TOKEN ? { token: config.IONET_API_TOKEN } : {}),
          authHeader: config.IONET_AUTH_HEADER,
        }),
      credential: credentialName('ionet', config.IONET_API_TOKEN),
      limits: config.IONET_RATE_LIMITS,
      statusKinds: ['summary', 'details'],
    });
  if (on('nosana'))
    networks.push({
      name: 'nosana',
      adapter: () =>
        new NosanaAdapter({
          nodeUrlTemplate: config.NOSANA_NODE_URL_TEMPLATE,
          dashboardUrl: config.NOSANA_DASHBOARD_URL,
        }),
      credential: 'nosana',
      limits: config.NOSANA_RATE_LIMITS,
      statusKinds: ['node'],
    });
  if (on('akash'))
    networks.push({
      name: 'akash',
      adapter: () => new AkashAdapter(config.AKASH_CONSOLE_API_URL),
      credential: 'akash',
      limits: config.AKASH_RATE_LIMITS,
      statusKinds: ['provider'],
    });
  return {
    ...(on('poll') && config.NODE_SOURCE_URL ? { pollUrl: config.NODE_SOURCE_URL } : {}),
    networks,
    everyMs: config.POLL_INTERVAL_SECONDS * 1000,
    graceMs: config.OFFLINE_GRACE_SECONDS * 1000,
  };
}

/** Status reads per second the budget sustains: the status kinds together, capped by `overall`. */
export function statusRatePerSecond(limits: RateLimitSpec[], statusKinds: string[]): number {
  const rate = (l: RateLimitSpec) => (l.limit * 1000) / (l.windowMs + BUDGET_SAFETY_MS);
  const overall = limits.filter((l) => l.name === 'overall').map(rate);
  const perKind = statusKinds.map((k) => {
    const own = limits.filter((l) => l.name === k).map(rate);
    return own.length ? Math.min(...own) : Infinity;
  });
  const sum = perKind.some((r) => r === Infinity) ? Infinity : perKind.reduce((a, b) => a + b, 0);
  return Math.min(sum, ...overall);
}

/** Devices one network can visit once per poll interval, and the interval N devices get. */
export function capacity(n: NetworkSettings, everyMs: number, watched = 0) {
  const rate = statusRatePerSecond(n.limits, n.statusKinds);
  const perInterval = Math.floor((rate * everyMs) / 1000);
  const intervalMs = Math.max(everyMs, rate > 0 ? Math.ceil((watched / rate) * 1000) : Infinity);
  return { ratePerSecond: rate, devicesPerInterval: perInterval, intervalMs };
}

/** One round per tick; a round may use the whole tick waiting for permits. */
export function tickMs(everyMs: number): number {
  return Math.max(1_000, Math.min(everyMs, 10_000));
}

export function buildSources(
  settings: SourceSettings,
  deps: {
    pool: pg.Pool;
    redis: Redis;
    prefix: string;
    view: NetworkViewStore;
    clock?: Clock;
    /** Raw nodes of each poll page (moderation keeps their hardware facts). */
    onPollNodes?: (nodes: NetworkNode[]) => Promise<void>;
  },
): SnapshotSource[] {
  const timeoutMs = Math.min(10_000, Math.max(500, settings.graceMs / 4));
  const out: SnapshotSource[] = [];
  if (settings.pollUrl)
    out.push(
      new PollSource({
        baseUrl: settings.pollUrl,
        pool: deps.pool,
        timeoutMs,
        ...(deps.onPollNodes ? { onNodes: deps.onPollNodes } : {}),
      }),
    );
  for (const n of settings.networks) {
    out.push(
      new NetworkSource({
        adapter: n.adapter(),
        pool: deps.pool,
        budget: new RequestBudget(deps.redis, deps.prefix, n.credential, n.limits),
        scheduler: new DeviceScheduler(deps.redis, deps.prefix, n.name),
        view: deps.view,
        everyMs: settings.everyMs,
        sliceMs: tickMs(settings.everyMs),
        timeoutMs,
        ...(deps.clock ? { clock: deps.clock } : {}),
      }),
    );
  }
  return out;
}
