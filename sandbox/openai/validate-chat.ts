// Checks a chat-completions body the way the real API does (same messages, params and
// codes), so code that builds a bad request fails here as it would in production instead
// of passing against a lenient fake. Unknown parameters are accepted: the client adds new
// ones between versions and rejecting them would make the sandbox brittle.
import { invalidRequest, type SandboxHttpError } from './errors';

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const FORMATS = ['json_object', 'json_schema', 'text'];

export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'decimal';
  return typeof v;
}

function listValues(values: string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

const missing = (param: string) =>
  invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
const badType = (param: string, expected: string, got: unknown) =>
  invalidRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${jsonTypeName(got)} instead.`,
    param,
    'invalid_type',
  );
const badValue = (param: string, got: unknown, supported: string[]) =>
  invalidRequest(
    `Invalid value: '${String(got)}'. Supported values are: ${listValues(supported)}.`,
    param,
    'invalid_value',
  );

/** Plain text of a message's content (string or array of text parts). */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

function checkMessage(m: unknown, i: number): SandboxHttpError | null {
  const at = `messages[${i}]`;
  if (!m || typeof m !== 'object' || Array.isArray(m)) return badType(at, 'an object', m);
  const msg = m as Record<string, unknown>;
  if (msg.role === undefined) return missing(`${at}.role`);
  if (typeof msg.role !== 'string' || !ROLES.includes(msg.role))
    return badValue(`${at}.role`, msg.role, ROLES);
  const content = msg.content;
  // Assistant turns that only carry tool calls may omit content; every other role needs it.
  const contentOptional =
    msg.role === 'assistant' && (msg.tool_calls !== undefined || msg.function_call !== undefined);
  if (content === undefined || (content === null && !contentOptional)) {
    if (!contentOptional) return missing(`${at}.content`);
  } else if (content !== null && typeof content !== 'string' && !Array.isArray(content)) {
    return badType(`${at}.content`, 'one of a string or array of objects', content);
  }
  if (msg.role === 'tool' && typeof msg.tool_call_id !== 'string') return missing(`${at}.tool_call_id`);
  return null;
}

function checkResponseFormat(rf: unknown, messages: unknown[]): SandboxHttpError | null {
  if (rf === undefined || rf === null) return null;
  if (typeof rf !== 'object' || Array.isArray(rf)) return badType('response_format', 'an object', rf);
  const format = rf as Record<string, unknown>;
  if (format.type === undefined) return missing('response_format.type');
  if (typeof format.type !== 'string' || !FORMATS.includes(format.type)) {
    return badValue('response_format.type', format.type, FORMATS);
  }
  if (format.type === 'json_schema') {
    const js = format.json_schema as Record<string, unknown> | undefined;
    if (!js || typeof js !== 'object') return missing('response_format.json_schema');
    if (typeof js.name !== 'string' || js.name === '') return missing('response_format.json_schema.name');
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(js.name)) {
      return invalidRequest(
        `Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        'response_format.json_schema.name',
        'invalid_value',
      );
    }
  }
  if (format.type === 'json_object') {
    // A real API rule that catches prompts that forgot to ask for JSON.
    const mentionsJson = messages.some((m) =>
      /json/i.test(messageText((m as { content?: unknown } | null)?.content)),
    );
    if (!mentionsJson) {
      return invalidRequest(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
      );
    }
  }
  return null;
}

/** Returns the error the real API would answer with, or null when the body is acceptable. */
export function validateChatBody(body: unknown): SandboxHttpError | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return invalidRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
  const b = body as Record<string, unknown>;
  if (b.model === undefined || b.model === null || b.model === '') {
    return invalidRequest('you must provide a model parameter');
  }
  if (typeof b.model !== 'string') return badType('model', 'a string', b.model);
  if (b.messages === undefined) return missing('messages');
  if (!Array.isArray(b.messages)) return badType('messages', 'an array of objects', b.messages);
  if (b.messages.length === 0) {
    return invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  for (let i = 0; i < b.messages.length; i++) {
    const err = checkMessage(b.messages[i], i);
    if (err) return err;
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    return badType('stream', 'a boolean', b.stream);
  }
  if (b.n !== undefined && b.n !== null) {
    if (typeof b.n !== 'number' || !Number.isInteger(b.n)) return badType('n', 'an integer', b.n);
    if (b.n < 1 || b.n > 128) {
      return invalidRequest(
        `Invalid 'n': integer ${b.n < 1 ? 'below minimum' : 'above maximum'} value. Expected a value ${b.n < 1 ? '>= 1' : '<= 128'}, but got ${b.n} instead.`,
        'n',
        b.n < 1 ? 'integer_below_min_value' : 'integer_above_max_value',
      );
    }
  }
  if (b.temperature !== undefined && b.temperature !== null) {
    if (typeof b.temperature !== 'number') return badType('temperature', 'a decimal', b.temperature);
    if (b.temperature < 0 || b.temperature > 2) {
      const above = b.temperature > 2;
      return invalidRequest(
        `Invalid 'temperature': decimal ${above ? 'above maximum' : 'below minimum'} value. Expected a value ${above ? '<= 2' : '>= 0'}, but got ${b.temperature} instead.`,
        'temperature',
        above ? 'decimal_above_max_value' : 'decimal_below_min_value',
      );
    }
  }
  return checkResponseFormat(b.response_format, b.messages);
}
