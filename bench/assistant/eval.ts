// `npm run eval:assistant`: retrieval and answer quality over the question set, without
// and with the OpenAI emulator (sandbox/openai playing a grounded model), for both Chinese
// segmenters, plus retrieval latency at 1,000 entries. Prints figures; it is not a test.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml } from 'yaml';
import { OpenAiWriter, type AiAnswerer } from '../../assistant/answer/ai';
import { composeAnswer, DEFAULT_THRESHOLDS, type Answer } from '../../assistant/answer/compose';
import { unstatedDates } from '../../assistant/answer/dates';
import { readKnowledgeDir } from '../../assistant/kb/files';
import type { KbEntry } from '../../assistant/kb/store';
import { KbIndex } from '../../assistant/retrieval/index';
import {
  Analyzer,
  KNOWLEDGE_DIR,
  loadOutOfScope,
  loadSynonyms,
  type SegmenterKind,
} from '../../assistant/retrieval/text';
import { startOpenAISandbox } from '../../sandbox/openai';
import { calibration, corpus, formatLatency, latency, type CorpusKind } from './corpus';
import { emulatedModel } from './emulated-model';

interface Question {
  q: string;
  lang: string;
  expect: string;
  kind: string;
}

const questions = parseYaml(fs.readFileSync(path.join(__dirname, 'questions.yaml'), 'utf8')) as Question[];

function loadEntries(): KbEntry[] {
  const read = readKnowledgeDir(KNOWLEDGE_DIR);
  if (!read.ok) throw new Error(`knowledge base does not parse: ${JSON.stringify(read.files)}`);
  return read.entries.map((e, i) => ({ ...e, version: 1, seq: i + 1 }));
}

interface Figures {
  hit1: number;
  hit3: number;
  refusals: number;
  answeredRight: number;
  wrong: number;
  inventedDates: number;
  misses: string[];
}

async function evaluate(index: KbIndex, ai: AiAnswerer | null): Promise<Figures> {
  const answerable = questions.filter((q) => q.expect !== 'unknown');
  const unknown = questions.filter((q) => q.expect === 'unknown');
  let hit1 = 0;
  let hit3 = 0;
  let refused = 0;
  let right = 0;
  let wrong = 0;
  let invented = 0;
  const misses: string[] = [];
  for (const q of questions) {
    const outcome = index.query(q.q, q.lang);
    const ids = outcome.hits.map((h) => h.id);
    const answer: Answer = await composeAnswer(q.q, q.lang, outcome, DEFAULT_THRESHOLDS, ai);
    if (q.expect !== 'unknown') {
      if (ids[0] === q.expect) hit1++;
      if (ids.slice(0, 3).includes(q.expect)) hit3++;
    }
    if (answer.kind === 'answer') {
      const cited = answer.sources.map((s) => s.id);
      if (q.expect === 'unknown' || !cited.includes(q.expect) || cited.some((c) => c !== q.expect)) {
        wrong++;
        misses.push(`WRONG ${q.q} → ${cited.join(',')} (expected ${q.expect})`);
      } else right++;
      const bodies = answer.sources.map(
        (s) => index.entries.find((e) => e.id === s.id && e.lang === s.lang)?.body ?? '',
      );
      if (unstatedDates(answer.text, bodies).length > 0) invented++;
    } else if (q.expect === 'unknown') refused++;
    else misses.push(`REFUSED ${q.q} (${answer.reason}; top ${ids.join(',')}, expected ${q.expect})`);
  }
  return {
    hit1: hit1 / answerable.length,
    hit3: hit3 / answerable.length,
    refusals: refused / unknown.length,
    answeredRight: right / answerable.length,
    wrong,
    inventedDates: invented,
    misses,
  };
}

const pct = (x: number) => x.toFixed(3);

function print(label: string, f: Figures, verbose: boolean) {
  console.log(
    `${label.padEnd(34)} hit@1 ${pct(f.hit1)}  hit@3 ${pct(f.hit3)}  refusals ${pct(f.refusals)}  ` +
      `answered-right ${pct(f.answeredRight)}  wrong ${f.wrong}  invented-dates ${f.inventedDates}`,
  );
  if (verbose) for (const m of f.misses) console.log(`    ${m}`);
}

async function main() {
  const verbose = process.argv.includes('--verbose');
  const entries = loadEntries();
  const synonyms = loadSynonyms();
  const answerable = questions.filter((q) => q.expect !== 'unknown').length;
  console.log(
    `questions ${questions.length} (answerable ${answerable}, unknown ${questions.length - answerable}, ` +
      `injection ${questions.filter((q) => q.kind === 'injection').length}); entries ${entries.length}`,
  );
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  for (const seg of ['intl', 'jieba'] as SegmenterKind[]) {
    const t0 = performance.now();
    const analyzer = new Analyzer(synonyms, seg);
    const index = new KbIndex(entries, analyzer, loadOutOfScope());
    const build = performance.now() - t0;
    print(`retrieval only, ${seg}`, await evaluate(index, null), verbose);
    const zh = questions.filter((q) => q.lang === 'zh');
    const zhHits = zh.filter((q) => q.expect !== 'unknown');
    const zh1 = zhHits.filter((q) => index.query(q.q, q.lang).hits[0]?.id === q.expect).length;
    console.log(
      `  ${seg}: zh hit@1 ${pct(zh1 / zhHits.length)} (${zhHits.length} zh questions); start-up ${build.toFixed(0)} ms`,
    );
    const analysis = latency(null, questions, (q) => analyzer.analyze(q.q));
    console.log(`  ${seg}: question analysis (segmenter, synonyms, stemming): ${formatLatency(analysis)}`);
    for (const kind of ['topical', 'mixed'] as CorpusKind[]) {
      const big = new KbIndex(corpus(entries, kind), analyzer, loadOutOfScope());
      console.log(`  ${seg}, 1,000 entries (${kind}): ${formatLatency(latency(big, questions))}`);
    }
  }
  console.log(`  control (fixed work, sorting 3,000 numbers): ${formatLatency(calibration(questions))}`);
  const ai = await startOpenAISandbox();
  try {
    const analyzer = new Analyzer(synonyms, 'intl');
    const index = new KbIndex(entries, analyzer, loadOutOfScope());
    const writer = new OpenAiWriter({
      apiKey: ai.apiKey,
      baseURL: ai.baseURL,
      model: 'gpt-4o-mini',
      timeoutMs: 5_000,
    });
    ai.onChat(emulatedModel);
    print('with OpenAI emulator, intl', await evaluate(index, writer), verbose);
    const calls = ai.chatRequests().length;
    // Every third reply is garbage: the retrieval answer must take over, figures unchanged.
    ai.reset();
    let n = 0;
    ai.onChat((req) => (++n % 3 === 0 ? 'definitely not json {' : emulatedModel(req)));
    print('emulator, 1 in 3 replies garbage', await evaluate(index, writer), verbose);
    console.log(`  model calls ${calls} (only questions past the retrieval gate reach the model)`);
  } finally {
    await ai.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
