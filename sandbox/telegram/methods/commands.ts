import type { BotCommand } from '@grammyjs/types';
import type { MethodContext, MethodSpec } from '../api';
import { badRequest } from '../errors';
import { commandsKey } from '../state';

const SCOPES = new Set([
  'default',
  'all_private_chats',
  'all_group_chats',
  'all_chat_administrators',
  'chat',
  'chat_administrators',
  'chat_member',
]);

function scopeAndLanguage(ctx: MethodContext): string {
  const scope = ctx.params.json<Record<string, unknown>>('scope');
  if (scope !== undefined && (typeof scope !== 'object' || !SCOPES.has(String(scope.type)))) {
    throw badRequest('unsupported bot command scope type');
  }
  if (scope && ['chat', 'chat_administrators', 'chat_member'].includes(String(scope.type))) {
    const chatId = scope.chat_id;
    if (
      chatId === undefined ||
      !ctx.world.chatById(
        typeof chatId === 'string' && /^-?\d+$/.test(chatId) ? Number(chatId) : (chatId as number | string),
      )
    ) {
      throw badRequest('chat not found');
    }
  }
  const language = ctx.params.str('language_code') ?? '';
  // Commands take a two-letter ISO 639-1 code, unlike User.language_code (an IETF tag such as "zh-hans").
  if (language !== '' && !/^[a-z]{2}$/.test(language)) throw badRequest('invalid language code specified');
  return commandsKey(scope, language);
}

function setMyCommands(ctx: MethodContext): true {
  const commands = ctx.params.json<unknown>('commands');
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON array");
  if (commands.length > 100) throw badRequest('too many commands specified');
  const list: BotCommand[] = commands.map((c: unknown) => {
    const { command, description } = (c ?? {}) as Partial<BotCommand>;
    if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command))
      throw badRequest('BOT_COMMAND_INVALID');
    if (typeof description !== 'string' || description.trim() === '') {
      throw badRequest('command description must be non-empty');
    }
    if (description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    return { command, description };
  });
  const key = scopeAndLanguage(ctx);
  if (list.length === 0) ctx.world.commands.delete(key);
  else ctx.world.commands.set(key, list);
  return true;
}

function deleteMyCommands(ctx: MethodContext): true {
  ctx.world.commands.delete(scopeAndLanguage(ctx));
  return true;
}

const accept = (): true => true;

export const commandMethods: MethodSpec[] = [
  { name: 'setMyCommands', run: setMyCommands },
  {
    name: 'getMyCommands',
    run: (ctx) => structuredClone(ctx.world.commands.get(scopeAndLanguage(ctx)) ?? []),
  },
  { name: 'deleteMyCommands', run: deleteMyCommands },
  // Profile settings bots commonly touch at start; accepted and logged in calls().
  { name: 'setMyDescription', run: accept },
  { name: 'setMyShortDescription', run: accept },
  { name: 'setMyName', run: accept },
  { name: 'setChatMenuButton', run: accept },
];
