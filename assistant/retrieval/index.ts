// BM25 search over the entries in effect (minisearch): titles, tags and bodies, fuzzy and
// prefix matching for typos, all languages in one index. Hits are grouped by entry id so
// a question in one language can be answered from a translation in another.
//
// Confidence is the share of what the question asks about (its concepts, weighted by how
// rare they are in the knowledge base; words the knowledge base never uses weigh most)
// that the best entry matches. A question whose main words the knowledge base does not
// contain is therefore not answered from a loosely related entry.
import MiniSearch, { type SearchResult } from 'minisearch';
import type { KbEntry } from '../kb/store';
import { Analyzer, type OutOfScopeTopic } from './text';

export interface Hit {
  id: string;
  /** The entry to answer from: in the asked language when it exists. */
  entry: KbEntry;
  score: number;
  /** 0..1, see above. */
  confidence: number;
  /** The entry is not in the asked language (no translation yet). */
  crossLanguage: boolean;
}

export interface SearchOutcome {
  hits: Hit[];
  /** An out-of-scope topic the question asks about that the best entry does not state. */
  outOfScope: string | null;
  concepts: string[];
}

interface Doc {
  key: string;
  title: string;
  tags: string;
  body: string;
}

const ASCII_WORD = /^[a-z0-9]+$/;
/** A hit scoring this share of the best one competes on coverage (rerank). */
const FAIR = 0.3;
/** A newer rival this close to the best one's score replaces it (preferNewest). */
const NEAR = 0.85;

/**
 * BM25 favours long matches on one frequent word; among hits with a fair score, the one
 * that covers more of what was asked comes first.
 */
function rerank(hits: Hit[]): Hit[] {
  const top = hits[0]?.score ?? 0;
  const fair = hits.filter((h) => h.score >= top * FAIR);
  const rest = hits.filter((h) => h.score < top * FAIR);
  fair.sort((a, b) => b.confidence - a.confidence || b.score - a.score);
  return [...fair, ...rest];
}

export class KbIndex {
  private readonly search: MiniSearch<Doc>;
  private readonly byKey = new Map<string, KbEntry>();
  private readonly df = new Map<string, number>();
  private readonly maxIdf: number;
  private readonly topics: Array<[string, OutOfScopeTopic]>;

  constructor(
    readonly entries: KbEntry[],
    private readonly analyzer: Analyzer,
    outOfScope: Record<string, OutOfScopeTopic> = {},
  ) {
    this.topics = Object.entries(outOfScope);
    this.search = new MiniSearch<Doc>({
      idField: 'key',
      fields: ['title', 'tags', 'body'],
      // Text is analyzed once, by the same analyzer as questions.
      tokenize: (text) => analyzer.analyze(text).terms,
      processTerm: (term) => term,
      searchOptions: {
        boost: { title: 2, tags: 1.5, body: 1 },
        combineWith: 'OR',
        // Concepts and Chinese words match exactly. Only English words the knowledge base
        // does not contain (typos, mostly) are matched fuzzily: cheaper and more precise.
        fuzzy: (term) => (ASCII_WORD.test(term) && term.length >= 4 && !this.df.has(term) ? 0.34 : false),
        prefix: (term) => ASCII_WORD.test(term) && term.length >= 4 && !this.df.has(term),
        maxFuzzy: 2,
        processTerm: (term) => term,
      },
    });
    const docs = entries.map((e) => {
      const key = `${e.id}:${e.lang}`;
      this.byKey.set(key, e);
      const doc = { key, title: e.title, tags: e.tags.join(', '), body: e.body };
      for (const t of new Set(analyzer.analyze(`${doc.title} ${doc.tags} ${doc.body}`).terms)) {
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
      }
      return doc;
    });
    this.search.addAll(docs);
    this.maxIdf = Math.log(1 + Math.max(1, entries.length));
  }

  private idf(term: string): number {
    const df = this.df.get(term);
    return df ? Math.log(1 + this.entries.length / df) : this.maxIdf;
  }

  query(question: string, lang: string, limit = 3): SearchOutcome {
    const { concepts } = this.analyzer.analyze(question);
    // Searched with what the question asks about: its concepts and the words no synonym
    // phrase covered. A covered word ("token" of "token launch") only repeats its concept's
    // postings: it doubled the scoring work at 1,000 entries and changed no ranking.
    const results = this.search.search(question, { tokenize: () => concepts });
    // Results come best first. Only those within reach of the best can be reranked to
    // the top (see rerank and preferNewest); below that, `limit` hits fill the list.
    const cutoff = (results[0]?.score ?? 0) * FAIR * NEAR;
    const byId = new Map<string, SearchResult>();
    for (const r of results) {
      if (r.score < cutoff && byId.size >= limit) break;
      const id = (this.byKey.get(r.id as string) as KbEntry).id;
      if (!byId.has(id)) byId.set(id, r);
    }
    const weights = concepts.map((c) => this.idf(c));
    const total = weights.reduce((s, w) => s + w, 0);
    let hits = [...byId.entries()].map(([id, r]): Hit => {
      // A fuzzy or prefix match (a typo, probably) counts half: "weather" is not "whether".
      let covered = 0;
      concepts.forEach((c, i) => {
        if (r.queryTerms.includes(c)) covered += weights[i]! * (r.terms.includes(c) ? 1 : 0.5);
      });
      const local = this.byKey.get(`${id}:${lang}`);
      const entry = local ?? (this.byKey.get(r.id as string) as KbEntry);
      return {
        id,
        entry,
        score: r.score,
        confidence: total > 0 ? covered / total : 0,
        crossLanguage: !local,
      };
    });
    hits = this.preferNewest(rerank(hits));
    const best = hits[0];
    return {
      hits: hits.slice(0, limit),
      outOfScope: best ? this.unstatedTopic(question, best.entry) : null,
      concepts,
    };
  }

  /**
   * Entries on one topic can conflict (an old announcement and a newer one): among hits
   * nearly as good as the best that share one of its tags, the newest `updated` wins.
   */
  private preferNewest(hits: Hit[]): Hit[] {
    const best = hits[0];
    if (!best) return hits;
    const rivals = hits.filter(
      (h) =>
        h !== best &&
        h.score >= best.score * NEAR &&
        h.confidence >= best.confidence &&
        h.entry.tags.some((t) => best.entry.tags.includes(t)) &&
        h.entry.updated > best.entry.updated,
    );
    if (rivals.length === 0) return hits;
    const newest = rivals.reduce((a, b) => (b.entry.updated > a.entry.updated ? b : a));
    return [newest, ...hits.filter((h) => h !== newest)];
  }

  private unstatedTopic(question: string, entry: KbEntry): string | null {
    const q = Analyzer.normalize(question);
    const text = Analyzer.normalize(`${entry.title} ${entry.tags.join(' ')} ${entry.body}`);
    const has = (hay: string, phrase: string) => {
      const p = phrase.toLowerCase();
      return /^[a-z0-9 .'-]+$/.test(p)
        ? new RegExp(`(?<![a-z0-9])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9])`).test(hay)
        : hay.includes(p);
    };
    for (const [name, topic] of this.topics) {
      if (topic.asks.some((a) => has(q, a)) && !topic.needs.some((n) => has(text, n))) return name;
    }
    return null;
  }
}
