// Builds `chat.completion` objects and `chat.completion.chunk` streams with every field
// the real API sends (typed against the openai package, so a shape drift fails tsc).
import { randomBytes } from 'node:crypto';
import type OpenAI from 'openai';
import { messageText } from './validate-chat';

/** Rough token count (≈4 characters per token, as OpenAI's own rule of thumb). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

function promptTokens(req: OpenAI.ChatCompletionCreateParams): number {
  // Each message costs a few tokens of framing on top of its text, plus 3 for the reply primer.
  return req.messages.reduce((sum, m) => sum + 4 + estimateTokens(messageText(m.content)), 3);
}

export function chatUsage(
  req: OpenAI.ChatCompletionCreateParams,
  completionTexts: string[],
): OpenAI.CompletionUsage {
  const prompt = promptTokens(req);
  const completion = completionTexts.reduce((sum, t) => sum + estimateTokens(t), 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Applies `max_completion_tokens` / `max_tokens` like the API: cut the text, finish "length". */
export function applyTokenLimit(
  req: OpenAI.ChatCompletionCreateParams,
  content: string,
): { content: string; finishReason: 'stop' | 'length' } {
  const limit = req.max_completion_tokens ?? req.max_tokens;
  if (typeof limit === 'number' && estimateTokens(content) > limit) {
    return { content: content.slice(0, Math.max(0, limit * 4)), finishReason: 'length' };
  }
  return { content, finishReason: 'stop' };
}

export function completionId(): string {
  return `chatcmpl-${randomBytes(15).toString('base64url')}`;
}

export function buildCompletion(
  req: OpenAI.ChatCompletionCreateParams,
  content: string,
  finishReason: 'stop' | 'length',
): OpenAI.ChatCompletion {
  const n = req.n ?? 1;
  return {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: finishReason,
    })),
    usage: chatUsage(
      req,
      Array.from({ length: n }, () => content),
    ),
    service_tier: 'default',
    system_fingerprint: 'fp_sandbox',
  };
}

/**
 * The chunks of a streamed answer: a role chunk, the content word by word, a chunk with the
 * finish reason, and (with `stream_options.include_usage`) a final usage-only chunk whose
 * `choices` is empty; every other chunk then carries `usage: null`, as the API does.
 */
export function buildChunks(
  req: OpenAI.ChatCompletionCreateParams,
  content: string,
  finishReason: 'stop' | 'length',
): OpenAI.ChatCompletionChunk[] {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const withUsage = req.stream_options?.include_usage === true;
  const n = req.n ?? 1;
  const chunk = (choices: OpenAI.ChatCompletionChunk.Choice[]): OpenAI.ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: req.model,
    service_tier: 'default',
    system_fingerprint: 'fp_sandbox',
    choices,
    ...(withUsage ? { usage: null } : {}),
  });
  // Word-sized pieces that join back to exactly the content (whitespace included).
  const pieces = content.match(/^\s+|\S+\s*/g) ?? [];
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for (let index = 0; index < n; index++) {
    chunks.push(
      chunk([
        {
          index,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ]),
    );
    for (const piece of pieces) {
      chunks.push(chunk([{ index, delta: { content: piece }, logprobs: null, finish_reason: null }]));
    }
    chunks.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason }]));
  }
  if (withUsage) {
    chunks.push({
      ...chunk([]),
      usage: chatUsage(
        req,
        Array.from({ length: n }, () => content),
      ),
    });
  }
  return chunks;
}
