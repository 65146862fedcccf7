// The moderation feature's services, built once per process by the composition root:
// report intake, moderator actions, the evidence engine and its ingest hooks, and the
// BullMQ workers (evidence jobs, card updates).
import crypto from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import type pg from 'pg';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { DEFAULT_ABUSE_RULES, ReportQuota, ReporterStandings, type AbuseRules } from './abuse';
import { CaseActions } from './actions';
import { loadCaseView, renderCard, replyText } from './card';
import { CardPublisher } from './cards';
import { EvidenceEngine, type VerdictSource } from './evidence';
import { EvidenceStore, heartbeatFacts, type NodeFacts } from './evidence-store';
import { ReportIntake } from './intake';
import { CaseBusy, coalesced } from './lock';
import type {
  CardPort,
  CaseEscalator,
  CaseMessenger,
  NetworkVerdictInput,
  NetworkVerdictSink,
} from './ports';
import { DEFAULT_SIGNAL_RULES, type SignalRules } from './signals';
import { VerdictStore } from './verdicts';

export interface ModerationDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  hub: QueueHub;
  logger: Logger;
  messenger: CaseMessenger;
  validNodeId(id: string): boolean;
  escalator?: CaseEscalator;
  /** Where network verdicts are read; by default what `recordNetworkVerdict` kept. */
  verdicts?: VerdictSource;
  abuse?: Partial<AbuseRules>;
  signals?: Partial<SignalRules>;
}

const SCAN_CHUNK = 500;

/** Case jobs retry quickly while another runner holds the case, slowly on real failures. */
const CASE_JOB = { attempts: 40, backoff: { type: 'case' } } as const;

function caseBackoff(attemptsMade: number, _type?: string, err?: Error): number {
  if (err instanceof CaseBusy || err?.name === 'CaseBusy') return 150 + Math.floor(Math.random() * 250);
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attemptsMade - 1));
}

/** Heartbeat inventories change rarely: only a changed one is worth a look (one Redis call per batch). */
const CHANGED_SIGNATURES = `
local out = {}
for i = 1, #ARGV, 2 do
  if redis.call('hget', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
    redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1])
    out[#out + 1] = ARGV[i]
  end
end
return out`;

export class Moderation implements NetworkVerdictSink {
  readonly store: EvidenceStore;
  readonly standings: ReporterStandings;
  readonly intake: ReportIntake;
  readonly actions: CaseActions;
  readonly evidence: EvidenceEngine;
  readonly verdicts: VerdictStore;
  readonly rules: { abuse: AbuseRules; signals: SignalRules };

  constructor(private readonly deps: ModerationDeps) {
    const { prisma, pool, hub } = deps;
    this.rules = {
      abuse: { ...DEFAULT_ABUSE_RULES, ...deps.abuse },
      signals: { ...DEFAULT_SIGNAL_RULES, ...deps.signals },
    };
    const changed = (caseId: string, what: 'evidence' | 'card') => this.changed(caseId, what);
    this.store = new EvidenceStore(pool);
    this.verdicts = new VerdictStore(hub.redis, hub.prefix);
    this.standings = new ReporterStandings(prisma);
    this.intake = new ReportIntake({
      prisma,
      evidence: this.store,
      quota: new ReportQuota(hub.redis, hub.prefix, this.rules.abuse),
      standings: this.standings,
      rules: this.rules.abuse,
      validNodeId: deps.validNodeId,
      changed,
    });
    this.evidence = new EvidenceEngine({
      prisma,
      pool,
      store: this.store,
      rules: this.rules.signals,
      verdicts: deps.verdicts ?? this.verdicts,
      changed,
    });
    this.actions = new CaseActions({
      prisma,
      messenger: deps.messenger,
      ...(deps.escalator ? { escalator: deps.escalator } : {}),
      changed,
      summarize: (id) => this.summarize(id),
    });
  }

  /** After a committed change: evidence first (it queues the card), or just the card. */
  async changed(caseId: string, what: 'evidence' | 'card'): Promise<void> {
    if (what === 'evidence')
      await this.deps.hub.add('moderation-evidence', { kind: 'case', caseId }, CASE_JOB);
    else await this.deps.hub.add('moderation-card', { caseId }, CASE_JOB);
  }

  /** Network facts (a poll page): stored; changed nodes are scanned for strong signals. */
  async ingest(facts: NodeFacts[]): Promise<number> {
    const changed = await this.store.record(facts);
    for (let i = 0; i < changed.length; i += SCAN_CHUNK)
      await this.deps.hub.add('moderation-evidence', {
        kind: 'scan',
        nodeIds: changed.slice(i, i + SCAN_CHUNK),
      });
    return changed.length;
  }

  /**
   * A network's own verdict about a node (see NetworkVerdictSink in ports.ts): kept, and when
   * it is news, a scan job opens a "detected" case for `blocked` or re-gathers the open one.
   * Signature is a contract with notifier/sources: do not change it.
   */
  async recordNetworkVerdict(v: NetworkVerdictInput): Promise<void> {
    if (!v.nodeId || !v.network) return;
    if (await this.verdicts.record(v))
      await this.deps.hub.add('moderation-evidence', { kind: 'scan', nodeIds: [v.nodeId] });
  }

  /** Heartbeat GPU inventories (web role, internal node ids): only changed ones go on. */
  async noteHeartbeatGpus(reports: Array<{ nodeId: string; gpus: Array<{ model: string; uuid: string }> }>) {
    if (reports.length === 0) return;
    const sig = (g: Array<{ model: string; uuid: string }>) =>
      crypto
        .createHash('sha1')
        .update(JSON.stringify([...g].sort((a, b) => a.uuid.localeCompare(b.uuid))))
        .digest('base64url');
    const args = reports.flatMap((r) => [r.nodeId, sig(r.gpus)]);
    const changed = (await this.deps.hub.redis.eval(
      CHANGED_SIGNATURES,
      1,
      `${this.deps.hub.prefix}:mod:gpusig`,
      ...args,
    )) as string[];
    if (changed.length === 0) return;
    const set = new Set(changed);
    await this.deps.hub.add('moderation-evidence', {
      kind: 'heartbeat',
      reports: reports.filter((r) => set.has(r.nodeId)),
    });
  }

  async summarize(caseId: string): Promise<{ summary: string; nodeIds: string[] }> {
    const view = await loadCaseView(this.deps.prisma, caseId);
    if (!view) return { summary: '', nodeIds: [] };
    return { summary: replyText({ ...renderCard(view, 'en'), buttons: [] }), nodeIds: view.nodeIds };
  }

  /** The workers of the feature; cards only where a card port (chat senders) exists. */
  startWorkers(port?: CardPort): void {
    const { hub, prisma, logger } = this.deps;
    hub.worker(
      'moderation-evidence',
      async (job) => {
        const d = job.data;
        if (d.kind === 'case')
          return coalesced(hub.redis, `${hub.prefix}:mod:evidence:${d.caseId}`, () =>
            this.evidence.gather(d.caseId),
          );
        if (d.kind === 'scan') return { cases: (await this.evidence.scan(d.nodeIds)).length };
        const ids = await this.store.externalIds(d.reports.map((r) => r.nodeId));
        const facts = d.reports.flatMap((r) =>
          ids.has(r.nodeId) ? [heartbeatFacts(ids.get(r.nodeId)!, r.gpus)] : [],
        );
        return { changed: await this.ingest(facts) };
      },
      { concurrency: 4, settings: { backoffStrategy: caseBackoff } },
    );
    if (!port || port.platforms.length === 0) return;
    const cards = new CardPublisher({ prisma, redis: hub.redis, prefix: hub.prefix, port, logger });
    hub.worker('moderation-card', async (job) => cards.sync(job.data.caseId), {
      concurrency: 4,
      settings: { backoffStrategy: caseBackoff },
    });
  }
}
