// From a search outcome to an answer: the retrieval gate decides whether the knowledge
// base answers at all; the AI (when configured) only rewrites what the entries say, and
// its reply is used only when it cites a retrieved entry, is confident, adds no date and
// does not echo its instructions. Anything else falls back to the retrieval answer.
import type { KbEntry } from '../kb/store';
import type { SearchOutcome } from '../retrieval/index';
import { SYSTEM_PROMPT, type AiAnswerer } from './ai';
import { unstatedDates } from './dates';

export interface AnswerSource {
  id: string;
  lang: string;
  title: string;
  updated: string;
  source: string;
}

export type UnknownReason = 'no_match' | 'low_confidence' | 'out_of_scope' | 'ai_unsure';

export type Answer =
  | {
      kind: 'answer';
      text: string;
      sources: AnswerSource[];
      /** The entry is in another language than the question (no translation yet). */
      crossLanguage: boolean;
      via: 'retrieval' | 'ai';
      confidence: number;
    }
  | { kind: 'unknown'; question: string; reason: UnknownReason };

export interface Thresholds {
  /** Share of the question's weighted concepts the best entry must match. */
  minConfidence: number;
  /** The AI's own confidence below which it is taken as "I don't know". */
  minAiConfidence: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minConfidence: 0.5, minAiConfidence: 0.5 };

const sourceOf = (e: KbEntry): AnswerSource => ({
  id: e.id,
  lang: e.lang,
  title: e.title,
  updated: e.updated,
  source: e.source,
});

/** The answer from retrieval alone: the best entry's text with its source, or unknown. */
export function retrievalAnswer(question: string, outcome: SearchOutcome, th: Thresholds): Answer {
  const best = outcome.hits[0];
  if (!best) return { kind: 'unknown', question, reason: 'no_match' };
  if (outcome.outOfScope) return { kind: 'unknown', question, reason: 'out_of_scope' };
  if (best.confidence < th.minConfidence) return { kind: 'unknown', question, reason: 'low_confidence' };
  return {
    kind: 'answer',
    text: best.entry.body,
    sources: [sourceOf(best.entry)],
    crossLanguage: best.crossLanguage,
    via: 'retrieval',
    confidence: best.confidence,
  };
}

const leaksPrompt = (text: string) =>
  SYSTEM_PROMPT.split('\n').some((line) => line.length > 30 && text.includes(line.slice(0, 40)));

export async function composeAnswer(
  question: string,
  lang: string,
  outcome: SearchOutcome,
  th: Thresholds,
  ai: AiAnswerer | null,
): Promise<Answer> {
  const base = retrievalAnswer(question, outcome, th);
  if (base.kind === 'unknown' || !ai) return base;
  // Only entries that passed the gate reach the model.
  const given = outcome.hits.filter((h) => h.confidence >= th.minConfidence).map((h) => h.entry);
  const result = await ai.answer({
    question,
    lang,
    entries: given.map((e) => ({ id: e.id, lang: e.lang, title: e.title, updated: e.updated, body: e.body })),
  });
  if (!result) return base;
  if (result.confidence < th.minAiConfidence || !result.answer) {
    return { kind: 'unknown', question, reason: 'ai_unsure' };
  }
  const cited = given.filter((e) => result.citedIds.includes(e.id));
  if (cited.length === 0) return base;
  if (
    unstatedDates(
      result.answer,
      cited.map((e) => e.body),
    ).length > 0
  )
    return base;
  if (leaksPrompt(result.answer)) return base;
  return {
    kind: 'answer',
    text: result.answer,
    sources: cited.map(sourceOf),
    crossLanguage: cited.some((e) => e.lang !== lang),
    via: 'ai',
    confidence: Math.min(result.confidence, base.confidence),
  };
}
