// POST /v1/embeddings: validation with the real API's messages, and the response in the
// real shape. The openai client (v4.9x+, v5, v6) asks for `encoding_format: "base64"` when
// the caller did not choose one and decodes little-endian float32 itself, so both
// encodings must be right.
import type OpenAI from 'openai';
import { estimateTokens } from './chat-response';
import { invalidRequest, type SandboxHttpError } from './errors';
import { hashedEmbedding, toBase64Float32 } from './hashed-embedding';
import { jsonTypeName } from './validate-chat';

const MAX_INPUTS = 2048;
const MAX_DIMENSIONS = 3072;

const invalidInput = () =>
  invalidRequest(
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
  );

/** The texts to embed (token-id arrays are embedded as their digits), or the API's error. */
export function embeddingInputs(body: unknown): string[] | SandboxHttpError {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return invalidRequest('We could not parse the JSON body of your request.');
  const b = body as Record<string, unknown>;
  if (b.model === undefined || b.model === null || b.model === '')
    return invalidRequest('you must provide a model parameter');
  if (b.input === undefined) {
    return invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
  if (b.encoding_format !== undefined && b.encoding_format !== 'float' && b.encoding_format !== 'base64') {
    return invalidRequest(
      `Invalid value: '${String(b.encoding_format)}'. Supported values are: 'float' and 'base64'.`,
      'encoding_format',
      'invalid_value',
    );
  }
  if (b.dimensions !== undefined) {
    const d = b.dimensions;
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      return invalidRequest(
        `Invalid type for 'dimensions': expected an integer, but got ${jsonTypeName(d)} instead.`,
        'dimensions',
        'invalid_type',
      );
    }
    if (d < 1 || d > MAX_DIMENSIONS) {
      return invalidRequest(
        `Invalid 'dimensions': integer out of range. Expected a value between 1 and ${MAX_DIMENSIONS}, but got ${d} instead.`,
        'dimensions',
        'invalid_value',
      );
    }
  }
  const input = b.input;
  if (typeof input === 'string') return input === '' ? invalidInput() : [input];
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS) return invalidInput();
  if (input.every((x) => typeof x === 'number')) return [input.join(' ')];
  const texts: string[] = [];
  for (const item of input) {
    if (typeof item === 'string' && item !== '') texts.push(item);
    else if (Array.isArray(item) && item.length > 0 && item.every((x) => typeof x === 'number'))
      texts.push(item.join(' '));
    else return invalidInput();
  }
  return texts;
}

/** What the wire carries for `encoding_format: "base64"` (the client turns it into numbers). */
export interface Base64EmbeddingResponse extends Omit<OpenAI.CreateEmbeddingResponse, 'data'> {
  data: Array<{ object: 'embedding'; index: number; embedding: string }>;
}

export function buildEmbeddingResponse(
  body: OpenAI.EmbeddingCreateParams,
  texts: string[],
  defaultDimensions: number,
): OpenAI.CreateEmbeddingResponse | Base64EmbeddingResponse {
  const dims = body.dimensions ?? defaultDimensions;
  const tokens = texts.reduce((sum, t) => sum + estimateTokens(t), 0);
  const usage = { prompt_tokens: tokens, total_tokens: tokens };
  const vectors = texts.map((t) => hashedEmbedding(t, dims));
  if (body.encoding_format === 'base64') {
    return {
      object: 'list',
      data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: toBase64Float32(v) })),
      model: body.model,
      usage,
    };
  }
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: body.model,
    usage,
  };
}
