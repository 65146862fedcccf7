// Runs one command for one contact: identity on first contact, argument checks, the
// handler, and a polite localized answer with a reference id when anything throws.
import crypto from 'node:crypto';
import { t } from '../../core/i18n';
import type { Contact } from '../../accounts/identity';
import { COMMANDS_BY_NAME, type CommandContext } from './commands';
import { reply, text, type Reply } from '../../core/reply';
import type { Services } from './services';

/** Longest message we process; Telegram's own limit is 4096, Discord's 2000-4000. */
export const MAX_INPUT_LENGTH = 4096;

export interface CommandInvocation {
  contact: Contact;
  displayName: string;
  command: string;
  /** Named arguments (Discord options) or the raw rest of the line (Telegram). */
  args: Record<string, string>;
  rawLength?: number;
}

export function newReference(): string {
  return crypto.randomBytes(4).toString('hex');
}

export class Dispatcher {
  constructor(private readonly services: Services) {}

  /** A button press: ids are `<command>:<argument>`, the argument filling the first parameter. */
  async press(contact: Contact, displayName: string, buttonId: string): Promise<Reply> {
    const [command = '', ...rest] = buttonId.split(':');
    const spec = COMMANDS_BY_NAME.get(command);
    const first = spec?.params[0]?.name;
    const arg = rest.join(':');
    return this.run({ contact, displayName, command, args: first && arg ? { [first]: arg } : {} });
  }

  async run(inv: CommandInvocation): Promise<Reply> {
    const lang = { locale: 'en' };
    const out = await this.runInner(inv, lang);
    if (out.private)
      out.groupNotices = {
        sentToDm: t(lang.locale, 'private.sentToDm'),
        openDmFirst: t(lang.locale, 'private.openDmFirst'),
      };
    return out;
  }

  /** `lang.locale` is set as soon as the identity is known, for the caller's notes. */
  private async runInner(inv: CommandInvocation, lang: { locale: string }): Promise<Reply> {
    let locale = 'en';
    try {
      const identity = await this.services.identities.ensure(inv.contact);
      locale = identity.locale;
      lang.locale = locale;
      const ctx: CommandContext = {
        identity,
        locale: identity.locale,
        services: this.services,
        displayName: inv.displayName,
      };
      if ((inv.rawLength ?? 0) > MAX_INPUT_LENGTH) {
        return reply([text(t(locale, 'error.tooLong', { length: inv.rawLength!, max: MAX_INPUT_LENGTH }))], {
          private: true,
        });
      }
      const spec = COMMANDS_BY_NAME.get(inv.command);
      if (!spec) {
        return reply([text(t(locale, 'error.unknownCommand', { command: `/${inv.command.slice(0, 32)}` }))], {
          private: true,
        });
      }
      if (!spec.handler) return reply([text(t(locale, 'error.notAvailable'))], { private: true });
      return await spec.handler(ctx, inv.args);
    } catch (err) {
      const ref = newReference();
      this.services.logger.error(
        {
          ref,
          command: inv.command,
          platform: inv.contact.platform,
          err: { message: (err as Error).message, stack: (err as Error).stack },
        },
        'command failed',
      );
      return reply([text(t(locale, 'error.internal', { ref }))], { private: true });
    }
  }
}
