// Turns questions and entries into search terms, the same way for both: lower-case words
// with a light English stemmer, Chinese words from a segmenter, stop words dropped, plus
// one "~concept" term for every synonym phrase found (so "token launch", "发币" and "TGE"
// meet on "~tge", across languages).
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export type SegmenterKind = 'intl' | 'jieba';

/** Synonym groups: concept → phrases. */
export type Synonyms = Record<string, string[]>;
export interface OutOfScopeTopic {
  asks: string[];
  needs: string[];
}

export const KNOWLEDGE_DIR = path.join(__dirname, '..', 'knowledge');

export function loadSynonyms(dir = KNOWLEDGE_DIR): Synonyms {
  return parseYaml(fs.readFileSync(path.join(dir, 'synonyms.yaml'), 'utf8')) as Synonyms;
}

export function loadOutOfScope(dir = KNOWLEDGE_DIR): Record<string, OutOfScopeTopic> {
  return parseYaml(fs.readFileSync(path.join(dir, 'out-of-scope.yaml'), 'utf8')) as Record<
    string,
    OutOfScopeTopic
  >;
}

const EN_STOP = new Set(
  (
    'a an the is are was were be been being am do does did doing i me my mine we our you your he she it its they them their ' +
    'what when where which who whom why how this that these those there here of in on at to for from by with about as into ' +
    'and or but if so than then too very can could should would will shall may might must just also not no yes any some ' +
    'please tell know want get got has have had up out over again still yet ever even only much many more most such own ' +
    'hi hello hey thanks thank ok okay anyone someone something like really since ' +
    'goes go going keeps keep whether doesnt dont isnt cant wont didnt happen happens expected expect wen ser pls plz bro sir guys gm fam lol u ur pls anyway actually'
  ).split(' '),
);

const ZH_STOP = new Set(
  (
    '的 了 吗 呢 吧 啊 呀 嘛 么 是 我 我的 我们 你 你们 他 她 它 这 那 这个 那个 哪 哪个 哪里 什么 什么时候 时候 怎么 怎么样 怎样 如何 ' +
    '为什么 为何 多少 几 有 没有 没 在 和 与 及 或 就 都 也 还 又 被 把 给 让 去 到 从 对 于 请问 请 一下 能 能不能 会 可以 要 想 ' +
    '知道 告诉 说 个 些 一 不 很 太 到底 究竟 现在 目前 已经 自己 啥 咋 么样 这么 那么 关于 既然 在哪 哪儿 是不是 是否 了吗 的话 才能 更多 原因 变 变得 怎么办 会怎样 怎样才能'
  ).split(' '),
);

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;

export function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

type Segment = (run: string) => string[];

function intlSegmenter(): Segment {
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  return (run) => [...seg.segment(run)].filter((s) => s.isWordLike !== false).map((s) => s.segment);
}

function jiebaSegmenter(): Segment {
  // Loaded only when chosen: the dictionary costs memory and start-up time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
  const jieba = Jieba.withDict(dict);
  return (run) => jieba.cutForSearch(run, true);
}

interface Phrase {
  concept: string;
  /** Cheap substring test before the word-boundary one. */
  quick: (text: string) => boolean;
  match: (text: string) => boolean;
  strip: (text: string) => string;
}

function phraseMatcher(concept: string, phrase: string): Phrase {
  const p = phrase.toLowerCase();
  if (CJK.test(p)) {
    const has = (t: string) => t.includes(p);
    return { concept, quick: has, match: has, strip: (t) => t.split(p).join(' ') };
  }
  const escaped = p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![a-z0-9])${escaped}(?![a-z0-9])`, 'g');
  return {
    concept,
    quick: (t) => t.includes(p),
    match: (t) => {
      re.lastIndex = 0;
      return re.test(t);
    },
    strip: (t) => t.replace(re, ' '),
  };
}

export interface Analysis {
  /** Terms to search with (or index): words plus concepts. */
  terms: string[];
  /** What the text asks about: concepts, and words no synonym phrase covered. */
  concepts: string[];
}

export class Analyzer {
  private readonly segment: Segment;
  private readonly phrases: Phrase[];

  constructor(
    synonyms: Synonyms,
    readonly segmenter: SegmenterKind = 'intl',
  ) {
    this.segment = segmenter === 'jieba' ? jiebaSegmenter() : intlSegmenter();
    // Longest phrases first, so "fake cards" is taken before "cards".
    this.phrases = Object.entries(synonyms)
      .flatMap(([concept, list]) => list.map((p) => ({ concept, p: String(p) })))
      .sort((a, b) => b.p.length - a.p.length)
      .map(({ concept, p }) => phraseMatcher(concept, p));
  }

  static normalize(text: string): string {
    return text.normalize('NFKC').toLowerCase();
  }

  /** Words of a text (no concepts). */
  words(text: string): string[] {
    const out: string[] = [];
    const norm = Analyzer.normalize(text);
    for (const run of norm.replace(CJK_RUN, (m) => ` ${m} `).split(/\s+/)) {
      if (!run) continue;
      if (CJK.test(run)) {
        for (const w of this.segment(run)) if (!ZH_STOP.has(w) && CJK.test(w)) out.push(w);
        continue;
      }
      for (const w of run.replace(/['’](s|t|re|ve|ll|d|m)\b/g, '').split(/[^a-z0-9]+/)) {
        if (w.length < 2 || EN_STOP.has(w)) continue;
        // "whats" stems to a stop word: searching it (fuzzily, as the index lacks it) cost
        // time and matched "that".
        const s = stem(w);
        if (!EN_STOP.has(s)) out.push(s);
      }
    }
    return out;
  }

  analyze(text: string): Analysis {
    let rest = Analyzer.normalize(text);
    const concepts = new Set<string>();
    for (const ph of this.phrases) {
      if (!ph.quick(rest) || !ph.match(rest)) continue;
      concepts.add(`~${ph.concept}`);
      rest = ph.strip(rest);
    }
    const all = this.words(text);
    const uncovered = this.words(rest);
    return {
      terms: [...all, ...concepts],
      concepts: [...new Set([...concepts, ...uncovered])],
    };
  }
}
