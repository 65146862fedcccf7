// The 1,000-entry corpora the latency figure is measured on, and the measurement.
//
// - "topical": each generated entry is a variant of one starter entry, in that entry's
//   language: mostly its own words, some from other entries of the same language, about
//   as long. A large knowledge base looks like this: many entries per topic, each in one
//   language.
// - "mixed" (worst case, the corpus of the first figures): every entry is 60 random
//   whitespace-separated pieces of all starter bodies, English and Chinese together (a
//   Chinese piece is a whole clause), so every question word is in most entries and the
//   search scores nearly all 1,000 of them for every question.
//
// Wall-clock percentiles on this shared 2-core machine mostly measure the scheduler (a
// query waits whole time slices behind other processes), so CPU time per query is printed
// beside them, with the load average: it is what a quiet machine's wall clock would show.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { KbEntry } from '../../assistant/kb/store';
import type { KbIndex } from '../../assistant/retrieval/index';

export type CorpusKind = 'topical' | 'mixed';

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const zhWords = new Intl.Segmenter('zh', { granularity: 'word' });
const tokens = (e: KbEntry) =>
  e.lang === 'zh' ? [...zhWords.segment(e.body)].map((s) => s.segment) : e.body.split(/\s+/).filter(Boolean);

export function corpus(starter: KbEntry[], kind: CorpusKind, size = 1000): KbEntry[] {
  const rnd = random(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const all = starter.flatMap((e) => e.body.split(/\s+/)).filter(Boolean);
  const byLang = new Map<string, string[]>();
  for (const e of starter) byLang.set(e.lang, [...(byLang.get(e.lang) ?? []), ...tokens(e)]);
  const out: KbEntry[] = [...starter];
  for (let i = out.length; i < size; i++) {
    const base = starter[i % starter.length]!;
    if (kind === 'mixed') {
      const body = Array.from({ length: 60 }, () => pick(all)).join(' ');
      out.push({ ...base, id: `generated-${i}`, title: `Generated ${i}`, body, seq: i + 1 });
      continue;
    }
    const own = tokens(base);
    const pool = byLang.get(base.lang)!;
    const body = own.map(() => (rnd() < 0.7 ? pick(own) : pick(pool))).join(base.lang === 'zh' ? '' : ' ');
    out.push({ ...base, id: `generated-${i}`, title: `${base.title} ${i}`, body, seq: i + 1 });
  }
  return out;
}

export interface Latency {
  n: number;
  wall: { p50: number; p99: number };
  cpu: { p50: number; p99: number };
  /** 1-minute load average while measuring. */
  load: number;
}

type Q = { q: string; lang: string };

/** Percentiles of `run` (default: a search of `index`) over every question, `rounds` times. */
export function latency(
  index: KbIndex | null,
  questions: Q[],
  run: (q: Q) => unknown = (q) => index!.query(q.q, q.lang),
  rounds = 5,
): Latency {
  for (const q of questions) run(q); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const q of questions) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      run(q);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const at = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  };
  return {
    n: wall.length,
    wall: { p50: at(wall, 0.5), p99: at(wall, 0.99) },
    cpu: { p50: at(cpu, 0.5), p99: at(cpu, 0.99) },
    load: os.loadavg()[0]!,
  };
}

export const formatLatency = (l: Latency) =>
  `wall p50 ${l.wall.p50.toFixed(2)} ms, p99 ${l.wall.p99.toFixed(2)} ms; ` +
  `CPU p50 ${l.cpu.p50.toFixed(2)} ms, p99 ${l.cpu.p99.toFixed(2)} ms; ${l.n} queries, load ${l.load.toFixed(2)}`;

/**
 * A control: fixed work of about a query's size (sorting the same 3,000 numbers), timed
 * the same way. Its p99 over its p50 is the share of a tail the machine adds by itself.
 */
export function calibration(questions: Q[]): Latency {
  const rnd = random(11);
  const numbers = Array.from({ length: 3_000 }, () => rnd());
  return latency(null, questions, () => [...numbers].sort((a, b) => a - b));
}
