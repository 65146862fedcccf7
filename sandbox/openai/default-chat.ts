// What the sandbox "model" answers when a test scripted nothing: a deterministic,
// grounded reply built only from the request, so tests can assert on it.
//
// Plain text: the (at most two) context sentences sharing the most terms with the last
// user message, in their original order; "I don't know." when no sentence shares a term.
// Context = every message except that last user message (system prompt, retrieved
// knowledge-base entries, earlier turns). json_object: {"answer": <that text>}.
// json_schema: a value that satisfies the schema, with the text in its main string field.
import type OpenAI from 'openai';
import { terms } from './text-terms';
import { messageText } from './validate-chat';

export const DONT_KNOW = "I don't know.";
const MAX_SENTENCES = 2;
const MAX_CHARS = 600;

function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+|(?<=[。！？])/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function groundedAnswer(messages: readonly OpenAI.ChatCompletionMessageParam[]): string {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const question = new Set(terms(lastUser >= 0 ? messageText(messages[lastUser]!.content) : ''));
  const sentences = messages
    .filter((_, i) => i !== lastUser)
    .flatMap((m) => splitSentences(messageText(m.content)));
  const scored = sentences
    .map((text, index) => ({ text, index, score: new Set(terms(text).filter((t) => question.has(t))).size }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, MAX_SENTENCES)
    .sort((a, b) => a.index - b.index);
  if (scored.length === 0) return DONT_KNOW;
  const answer = scored.map((s) => s.text).join(' ');
  return answer.length > MAX_CHARS ? `${answer.slice(0, MAX_CHARS - 1)}…` : answer;
}

type Schema = Record<string, unknown>;
const TEXT_FIELDS = ['answer', 'summary', 'reply', 'response', 'text', 'content', 'message'];

/** A minimal value valid against a (structured-outputs subset) JSON schema. */
export function valueForSchema(schema: Schema, text: string, root: Schema = schema, depth = 0): unknown {
  if (depth > 12) return null; // recursive schemas: stop rather than loop
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#')) {
    let target: unknown = root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) {
      target = (target as Schema | undefined)?.[
        decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')
      ];
    }
    return target && typeof target === 'object'
      ? valueForSchema(target as Schema, text, root, depth + 1)
      : null;
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) {
    const nonNull = variants.find((v) => v.type !== 'null') ?? variants[0]!;
    return valueForSchema(nonNull, text, root, depth + 1);
  }
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') ?? 'null') : schema.type;
  switch (type) {
    case 'string':
      return text;
    case 'number':
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const items = (schema.items ?? {}) as Schema;
      return Array.from({ length: min }, () => valueForSchema(items, text, root, depth + 1));
    }
    default: {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const names = Object.keys(props);
      // The grounded text goes into the field that obviously holds it; other strings stay empty.
      const stringNames = names.filter((n) => valueForSchema(props[n]!, 'x', root, depth + 1) === 'x');
      const textField = stringNames.find((n) => TEXT_FIELDS.includes(n.toLowerCase())) ?? stringNames[0];
      const out: Record<string, unknown> = {};
      for (const name of names) {
        out[name] = valueForSchema(props[name]!, name === textField ? text : '', root, depth + 1);
      }
      return out;
    }
  }
}

/** The default reply: a string for text requests, an object for JSON response formats. */
export function defaultChatReply(req: OpenAI.ChatCompletionCreateParams): string | object {
  const text = groundedAnswer(req.messages);
  const format = req.response_format;
  if (format?.type === 'json_schema') {
    return valueForSchema((format.json_schema.schema ?? {}) as Schema, text) ?? {};
  }
  if (format?.type === 'json_object') return { answer: text };
  return text;
}
