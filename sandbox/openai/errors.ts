// Error bodies in the exact shape the OpenAI API sends, so the real `openai` client maps
// them onto its own classes (AuthenticationError, BadRequestError, RateLimitError, ...).

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An HTTP error the sandbox answers with; thrown inside handlers and caught by the server. */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: OpenAIErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error.message);
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null) {
  return new SandboxHttpError(400, { error: { message, type: 'invalid_request_error', param, code } });
}

const KEY_HINT = 'You can obtain an API key from https://platform.openai.com/account/api-keys.';

export function missingApiKey() {
  return new SandboxHttpError(401, {
    error: {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). " +
        KEY_HINT,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}

export function incorrectApiKey(given: string) {
  // The real API echoes a masked key; keep that so log-scrubbing tests see a realistic message.
  const masked = given.length <= 8 ? `${given.slice(0, 2)}***` : `${given.slice(0, 3)}***${given.slice(-4)}`;
  return new SandboxHttpError(401, {
    error: {
      message: `Incorrect API key provided: ${masked}. ${KEY_HINT}`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  });
}

/**
 * An injected or scripted failure with the type/code the real API uses for that status.
 * `retryAfterSeconds` sets both `retry-after` and `retry-after-ms` (the client reads the
 * latter first, so fractions of a second keep tests fast).
 */
export function statusError(status: number, message?: string, retryAfterSeconds?: number) {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(retryAfterSeconds)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(retryAfterSeconds * 1000)));
  }
  const known: Record<number, { type: string; code: string | null; message: string }> = {
    400: { type: 'invalid_request_error', code: null, message: 'Bad request.' },
    401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
    403: {
      type: 'invalid_request_error',
      code: 'unsupported_country_region_territory',
      message: 'Forbidden.',
    },
    404: { type: 'invalid_request_error', code: 'model_not_found', message: 'Not found.' },
    429: {
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: 'Rate limit reached for requests. Please try again later.',
    },
    500: {
      type: 'server_error',
      code: null,
      message: 'The server had an error while processing your request. Sorry about that!',
    },
    503: {
      type: 'server_error',
      code: null,
      message: 'The server is overloaded or not ready yet.',
    },
  };
  const base = known[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `HTTP ${status}`,
  };
  return new SandboxHttpError(
    status,
    { error: { message: message ?? base.message, type: base.type, param: null, code: base.code } },
    headers,
  );
}
