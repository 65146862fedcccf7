// Checks Discord applies to registered application commands (names, localizations, options,
// choices, nesting), a validator of its own as commands are registered once, not sent per message.
import { ApplicationCommandOptionType, ApplicationCommandType, Locale } from 'discord-api-types/v10';
import { invalidForm, type FormProblem } from './errors';
import { badLength, len, required, tooLong } from './validate-problems';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const LOCALES = new Set<string>(Object.values(Locale));

export type CommandShape = {
  name?: string;
  description?: string;
  type?: number;
  options?: OptionInput[];
  name_localizations?: Record<string, string> | null;
  description_localizations?: Record<string, string> | null;
};
type OptionInput = CommandShape & { required?: boolean; choices?: unknown[]; type?: number };

export function validateCommands(cmds: readonly CommandShape[]): void {
  const out: FormProblem[] = [];
  const seen = new Set<string>();
  cmds.forEach((c, i) => {
    const type = c.type ?? ApplicationCommandType.ChatInput;
    const key = `${type}:${c.name}`;
    if (seen.has(key))
      out.push({
        path: `${i}.name`,
        code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
        message: `Application command names must be unique`,
      });
    seen.add(key);
    out.push(...named(c, `${i}`, type === ApplicationCommandType.ChatInput));
    if (type === ApplicationCommandType.ChatInput)
      out.push(...optionProblems(c.options ?? [], `${i}.options`, 0));
  });
  if (cmds.length > 100) out.push(tooLong('', 100));
  if (out.length) throw invalidForm(out);
}

function named(c: CommandShape, at: string, chatInput: boolean): FormProblem[] {
  const out: FormProblem[] = [];
  if (!c.name) out.push(required(`${at}.name`));
  else if (chatInput && (!NAME.test(c.name) || c.name !== c.name.toLowerCase())) {
    out.push({
      path: `${at}.name`,
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name is invalid',
    });
  } else if (len(c.name) > 32) out.push(tooLong(`${at}.name`, 32));
  if (chatInput) {
    if (!c.description) out.push(required(`${at}.description`));
    else if (len(c.description) > 100) out.push(badLength(`${at}.description`, 1, 100));
  }
  for (const field of ['name_localizations', 'description_localizations'] as const) {
    for (const [loc, value] of Object.entries(c[field] ?? {})) {
      if (!LOCALES.has(loc))
        out.push({ path: `${at}.${field}.${loc}`, code: 'LOCALE_INVALID', message: `Invalid locale ${loc}` });
      else if (
        field === 'name_localizations' &&
        chatInput &&
        (!NAME.test(value) || value !== value.toLowerCase())
      ) {
        out.push({
          path: `${at}.${field}.${loc}`,
          code: 'APPLICATION_COMMAND_INVALID_NAME',
          message: 'Command name is invalid',
        });
      } else if (field === 'description_localizations' && len(value) > 100)
        out.push(badLength(`${at}.${field}.${loc}`, 1, 100));
    }
  }
  return out;
}

function optionProblems(options: OptionInput[], at: string, depth: number): FormProblem[] {
  const out: FormProblem[] = [];
  if (options.length > 25) out.push(tooLong(at, 25));
  const isSub = (o: OptionInput) =>
    o.type === ApplicationCommandOptionType.Subcommand ||
    o.type === ApplicationCommandOptionType.SubcommandGroup;
  if (options.some(isSub) && !options.every(isSub)) {
    out.push({
      path: at,
      code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      message: 'Sub-command and sub-command group option types are mutually exclusive to all other types',
    });
  }
  let optionalSeen = false;
  const names = new Set<string>();
  options.forEach((o, i) => {
    const here = `${at}.${i}`;
    out.push(...named(o, here, true));
    if (o.name && names.has(o.name))
      out.push({
        path: `${here}.name`,
        code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        message: 'Option names must be unique',
      });
    if (o.name) names.add(o.name);
    if (o.required && optionalSeen)
      out.push({
        path: `${here}.required`,
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      });
    if (!o.required && !isSub(o)) optionalSeen = true;
    if ((o.choices ?? []).length > 25) out.push(tooLong(`${here}.choices`, 25));
    if (o.type === ApplicationCommandOptionType.SubcommandGroup) {
      if (depth > 0)
        out.push({
          path: `${here}.type`,
          code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          message: 'Sub-command groups cannot be nested',
        });
      if (!(o.options ?? []).every((s) => s.type === ApplicationCommandOptionType.Subcommand)) {
        out.push({
          path: `${here}.options`,
          code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          message: 'Sub-command groups may only contain sub-commands',
        });
      }
      out.push(...optionProblems(o.options ?? [], `${here}.options`, depth + 1));
    } else if (o.type === ApplicationCommandOptionType.Subcommand) {
      if ((o.options ?? []).some(isSub))
        out.push({
          path: `${here}.options`,
          code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          message: 'Sub-commands cannot contain sub-commands',
        });
      out.push(...optionProblems(o.options ?? [], `${here}.options`, depth + 1));
    }
  });
  return out;
}
