// Shorthands for the built-in features' declarations: a command anyone may run whose
// handler takes the CommandContext, and a required free-text parameter. They keep each
// module's index.ts a list of what it offers (name, parameters, Discord placement) instead
// of the same wrapper written out per command. Used by wallets and alerts; nodes can adopt it.
import type { Args, CommandDecl, HandlerResult, ParamDecl } from '../../core/feature';
import type { MessageKey } from '../../core/i18n';
import type { Services } from '../shared/services';
import { commandContext, type CommandContext } from './context';

export type UserHandler = (ctx: CommandContext, args: Args) => Promise<HandlerResult>;

/** `everyone` commands of one feature, all over the same services. */
export function userCommands(services: Services) {
  return (
    name: string,
    descriptionKey: MessageKey,
    handler: UserHandler,
    more: Omit<CommandDecl, 'name' | 'descriptionKey' | 'permission' | 'handler'> = {},
  ): CommandDecl => ({
    name,
    descriptionKey,
    permission: 'everyone',
    ...more,
    handler: (ctx, args) => handler(commandContext(ctx, services), args),
  });
}

/** A required text parameter (the handler answers its usage text when it is missing). */
export const requiredText = (
  name: string,
  descriptionKey: MessageKey,
  maxLength: number,
  extra: Partial<ParamDecl> = {},
): ParamDecl => ({ name, descriptionKey, required: true, maxLength, ...extra });
