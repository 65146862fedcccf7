import { RESTJSONErrorCodes } from 'discord-api-types/v10';

const MESSAGES: Partial<Record<number, string>> = {
  [RESTJSONErrorCodes.UnknownChannel]: 'Unknown Channel',
  [RESTJSONErrorCodes.UnknownGuild]: 'Unknown Guild',
  [RESTJSONErrorCodes.UnknownMember]: 'Unknown Member',
  [RESTJSONErrorCodes.UnknownMessage]: 'Unknown Message',
  [RESTJSONErrorCodes.UnknownRole]: 'Unknown Role',
  [RESTJSONErrorCodes.UnknownUser]: 'Unknown User',
  [RESTJSONErrorCodes.UnknownWebhook]: 'Unknown Webhook',
  [RESTJSONErrorCodes.UnknownInteraction]: 'Unknown interaction',
  [RESTJSONErrorCodes.UnknownApplicationCommand]: 'Unknown application command',
  [RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged]: 'Interaction has already been acknowledged.',
  [RESTJSONErrorCodes.MissingAccess]: 'Missing Access',
  [RESTJSONErrorCodes.CannotSendAnEmptyMessage]: 'Cannot send an empty message',
  [RESTJSONErrorCodes.CannotSendMessagesToThisUser]: 'Cannot send messages to this user',
  [RESTJSONErrorCodes.MissingPermissions]: 'Missing Permissions',
  [RESTJSONErrorCodes.InvalidRecipients]: 'Invalid Recipient(s)',
  [RESTJSONErrorCodes.InvalidFormBodyOrContentType]: 'Invalid Form Body',
  [RESTJSONErrorCodes.InvalidActionOnArchivedThread]: 'Thread is archived',
  [RESTJSONErrorCodes.RequestBodyContainsInvalidJSON]: 'The request body contains invalid JSON.',
  [RESTJSONErrorCodes.CannotExecuteActionOnDMChannel]: 'Cannot execute action on a DM channel',
  [RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType]: 'Cannot execute action on this channel type',
  [RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser]:
    'Cannot edit a message authored by another user',
  [RESTJSONErrorCodes.InvalidWebhookToken]: 'Invalid Webhook Token',
};

const STATUS_TEXT: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The `errors` tree of a 50035: nested by field path, leaves under `_errors`. */
export type FormErrors = { _errors?: { code: string; message: string }[]; [field: string]: unknown };

export interface DiscordErrorBody {
  message: string;
  code: number;
  errors?: FormErrors;
}

/** Thrown by route handlers; the REST layer turns it into Discord's JSON error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message?: string,
    readonly errors?: FormErrors,
  ) {
    super(message ?? errorMessage(status, code));
  }

  get body(): DiscordErrorBody {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export function errorMessage(status: number, code: number): string {
  return MESSAGES[code] ?? `${status}: ${STATUS_TEXT[status] ?? 'Error'}`;
}

export const notFound = (code: number) => new ApiError(404, code);
export const forbidden = (code: number = RESTJSONErrorCodes.MissingAccess) => new ApiError(403, code);

/** One problem in a submitted form, reported at a dotted path such as `embeds.0.title`. */
export interface FormProblem {
  path: string;
  code: string;
  message: string;
}

export function invalidForm(problems: FormProblem[]): ApiError {
  const errors: FormErrors = {};
  for (const p of problems) {
    let node: FormErrors = errors;
    for (const key of p.path.split('.')) {
      node[key] ??= {};
      node = node[key] as FormErrors;
    }
    (node._errors ??= []).push({ code: p.code, message: p.message });
  }
  return new ApiError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, undefined, errors);
}
