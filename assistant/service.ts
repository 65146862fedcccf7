// The assistant's service API, free of chat libraries: ask, publish, history, import.
// The search index is rebuilt whenever the knowledge-base version in the database moved,
// checked on every question, so a publish from any process is used by the next question.
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { PrismaClient } from '@prisma/client';
import { type AiAnswerer } from './answer/ai';
import { AnswerCache } from './answer/cache';
import { composeAnswer, DEFAULT_THRESHOLDS, type Answer, type Thresholds } from './answer/compose';
import { parseEntry, type KbEntryInput, type KbProblem } from './kb/entry';
import { readKnowledgeDir, type FileProblem } from './kb/files';
import { KbStore, type KbEntry, type KbVersionInfo, type WriteOutcome } from './kb/store';
import { TicketOffers } from './offer';
import { pointsReport, type PointsFigureSource, type PointsReport } from './points';
import { KbIndex, type SearchOutcome } from './retrieval/index';
import { Analyzer, loadOutOfScope, loadSynonyms, type SegmenterKind } from './retrieval/text';

export interface AssistantOptions {
  prisma: PrismaClient;
  /** Answer cache; without it every question is answered afresh. */
  redis?: Redis;
  prefix?: string;
  ai?: AiAnswerer | null;
  segmenter?: SegmenterKind;
  thresholds?: Partial<Thresholds>;
  /** For personal points answers (nodes and their transition history). */
  pool?: pg.Pool;
  figures?: PointsFigureSource | null;
  /** Where synonyms.yaml and out-of-scope.yaml live (default: the starter knowledge folder). */
  knowledgeDir?: string;
}

export type PublishOutcome =
  | { kind: 'invalid'; problems: KbProblem[] }
  | { kind: 'published'; entry: KbEntryInput; outcome: WriteOutcome; currentVersion: number };

export type ImportOutcome =
  | { kind: 'invalid'; files: FileProblem[] }
  | { kind: 'imported'; created: number; unchanged: number; entries: number };

/** What a question gets: an answer, or (personal points questions) the user's own report. */
export type Response = { kind: 'answer'; answer: Answer } | { kind: 'points'; report: PointsReport };

/** Concepts that make a question one for the points team (the ticket category). */
const POINTS_TOPICS = ['~points', '~tge', '~season', '~snapshot', '~uptime', '~reputation', '~delay'];

const PERSONAL = /(?<![a-z])(my|mine|am i|i got|i get|i'm getting|i am getting)(?![a-z])|我/i;

export interface Actor {
  userId: string;
  identityId?: string;
  /** Write the audit entry here (default); false when the conversation layer audits the action. */
  audit?: boolean;
}

export class Assistant {
  readonly store: KbStore;
  private readonly analyzer: Analyzer;
  private readonly outOfScope;
  private readonly cache: AnswerCache | null;
  /** "Open a ticket" offers under refusals; null without Redis (no offer then). */
  readonly offers: TicketOffers | null;
  private readonly thresholds: Thresholds;
  private index: { version: number; index: KbIndex } | null = null;
  private building: Promise<{ version: number; index: KbIndex }> | null = null;

  constructor(private readonly opts: AssistantOptions) {
    this.store = new KbStore(opts.prisma);
    this.analyzer = new Analyzer(loadSynonyms(opts.knowledgeDir), opts.segmenter ?? 'intl');
    this.outOfScope = loadOutOfScope(opts.knowledgeDir);
    this.cache = opts.redis ? new AnswerCache(opts.redis, opts.prefix ?? 'nodedesk') : null;
    this.offers = opts.redis ? new TicketOffers(opts.redis, opts.prefix ?? 'nodedesk') : null;
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  }

  /** The index for the current knowledge-base version (rebuilt when it moved). */
  async current(): Promise<{ version: number; index: KbIndex }> {
    const version = await this.store.version();
    if (this.index?.version === version) return this.index;
    if (!this.building) {
      this.building = (async () => {
        const entries = await this.store.current();
        return { version, index: new KbIndex(entries, this.analyzer, this.outOfScope) };
      })().finally(() => {
        this.building = null;
      });
    }
    const built = await this.building;
    if (!this.index || built.version >= this.index.version) this.index = built;
    return built;
  }

  async search(question: string, lang: string): Promise<SearchOutcome> {
    return (await this.current()).index.query(question, lang);
  }

  async ask(question: string, lang: string): Promise<Answer> {
    const { version, index } = await this.current();
    const cached = await this.cache?.get(question, version, lang);
    if (cached) return cached;
    const outcome = index.query(question, lang);
    const answer = await composeAnswer(question, lang, outcome, this.thresholds, this.opts.ai ?? null);
    await this.cache?.set(question, version, lang, answer);
    return answer;
  }

  /**
   * A question from a known user: "why are my points low?" and the like get the personal
   * report (with the curated explanation); everything else gets `ask`.
   */
  async respond(question: string, lang: string, userId?: string): Promise<Response> {
    if (userId && this.opts.pool) {
      const { concepts } = this.analyzer.analyze(question);
      const aboutPoints = concepts.includes('~points') || concepts.includes('~uptime');
      if (aboutPoints && PERSONAL.test(question)) {
        const explanation = concepts.includes('~low') ? 'points-low' : 'points-earned';
        return { kind: 'points', report: await this.points(userId, lang, explanation) };
      }
    }
    return { kind: 'answer', answer: await this.ask(question, lang) };
  }

  /** Whom a refused question is for: the points team, or anyone. */
  topic(question: string): 'points' | 'other' {
    const { concepts } = this.analyzer.analyze(question);
    return concepts.some((c) => POINTS_TOPICS.includes(c)) ? 'points' : 'other';
  }

  /** `/points`: the user's own nodes, then the curated entry `explanationId`. */
  async points(userId: string, lang: string, explanationId = 'points-earned'): Promise<PointsReport> {
    if (!this.opts.pool) throw new Error('Assistant.points needs a pool');
    const entries = await this.entries();
    const entry = await this.entry(explanationId, lang);
    const explanation: Answer | null = entry
      ? {
          kind: 'answer',
          text: entry.body,
          sources: [
            {
              id: entry.id,
              lang: entry.lang,
              title: entry.title,
              updated: entry.updated,
              source: entry.source,
            },
          ],
          crossLanguage: entry.lang !== lang,
          via: 'retrieval',
          confidence: 1,
        }
      : null;
    return pointsReport(this.opts.pool, userId, entries, explanation, { figures: this.opts.figures ?? null });
  }

  /** Entries in effect, by id and language (for the personal points answer). */
  async entry(id: string, lang: string): Promise<KbEntry | null> {
    const { index } = await this.current();
    return (
      index.entries.find((e) => e.id === id && e.lang === lang) ??
      index.entries.find((e) => e.id === id) ??
      null
    );
  }

  async entries(): Promise<KbEntry[]> {
    return (await this.current()).index.entries;
  }

  /** `/kb publish`: the text after the command is one entry in the file format. */
  async publish(text: string, actor: Actor): Promise<PublishOutcome> {
    const parsed = parseEntry(text);
    if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
    const [outcome] = await this.store.write([parsed.entry], {
      publishedBy: actor.userId,
      ...(actor.audit === false ? {} : { userId: actor.userId }),
      ...(actor.identityId ? { identityId: actor.identityId } : {}),
    });
    const history = await this.store.history(parsed.entry.id);
    const current = history.find((h) => h.lang === parsed.entry.lang && h.current);
    return {
      kind: 'published',
      entry: parsed.entry,
      outcome: outcome!,
      currentVersion: current?.version ?? 0,
    };
  }

  history(id: string): Promise<KbVersionInfo[]> {
    return this.store.history(id.trim().toLowerCase());
  }

  /** `nodedesk kb import <dir>`: all files or none. */
  async importDir(dir: string): Promise<ImportOutcome> {
    const read = readKnowledgeDir(dir);
    if (!read.ok) return { kind: 'invalid', files: read.files };
    const outcomes = await this.store.write(read.entries, { publishedBy: 'import' });
    return {
      kind: 'imported',
      created: outcomes.filter((o) => o.kind === 'created').length,
      unchanged: outcomes.filter((o) => o.kind === 'unchanged').length,
      entries: read.entries.length,
    };
  }
}
