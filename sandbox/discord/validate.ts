import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIAllowedMentions,
  type APIEmbed,
} from 'discord-api-types/v10';
import { invalidForm, ApiError, type FormProblem } from './errors';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { badLength, len, required, tooLong } from './validate-problems';

export { validateCommands, type CommandShape } from './validate-commands';

// Checks Discord applies to what a bot sends, so a payload that the real API would
// refuse fails here too instead of only in production. Paths and codes follow the
// `errors` tree of Discord's 50035 answers.

export interface MessageBodyInput {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: unknown[] | null;
  allowed_mentions?: APIAllowedMentions | null;
  flags?: number | null;
  attachments?: { id: string | number; filename?: string; description?: string }[] | null;
  message_reference?: { message_id?: string; channel_id?: string; fail_if_not_exists?: boolean } | null;
  sticker_ids?: string[] | null;
  poll?: unknown;
  tts?: boolean;
}

/** Throws the ApiError Discord would answer for this message body, if any. */
export function validateMessageBody(
  body: MessageBodyInput,
  opts: { fileCount: number; isEdit: boolean },
): void {
  const problems: FormProblem[] = [];
  if (body.content != null && len(body.content) > 2000) problems.push(tooLong('content', 2000));
  problems.push(...embedProblems(body.embeds ?? []));
  problems.push(
    ...componentProblems(body.components ?? [], ((body.flags ?? 0) & MessageFlags.IsComponentsV2) !== 0),
  );
  const am = body.allowed_mentions;
  if (am?.parse?.includes('users' as never) && am.users?.length) {
    problems.push({
      path: 'allowed_mentions',
      code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
      message: 'parse:["users"] and users: [ids] are mutually exclusive.',
    });
  }
  if (am?.parse?.includes('roles' as never) && am.roles?.length) {
    problems.push({
      path: 'allowed_mentions',
      code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
      message: 'parse:["roles"] and roles: [ids] are mutually exclusive.',
    });
  }
  if (problems.length) throw invalidForm(problems);
  if (!opts.isEdit) {
    const empty =
      !(body.content ?? '').trim() &&
      !(body.embeds ?? []).length &&
      !(body.components ?? []).length &&
      !(body.sticker_ids ?? []).length &&
      !body.poll &&
      opts.fileCount === 0;
    if (empty) throw new ApiError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage);
  }
}

function embedProblems(embeds: APIEmbed[]): FormProblem[] {
  const out: FormProblem[] = [];
  if (embeds.length > 10) out.push(tooLong('embeds', 10));
  let total = 0;
  embeds.forEach((e, i) => {
    const at = `embeds.${i}`;
    const check = (v: unknown, path: string, max: number) => {
      total += len(v);
      if (len(v) > max) out.push(tooLong(`${at}.${path}`, max));
    };
    check(e.title, 'title', 256);
    check(e.description, 'description', 4096);
    check(e.footer?.text, 'footer.text', 2048);
    check(e.author?.name, 'author.name', 256);
    if ((e.fields ?? []).length > 25) out.push(tooLong(`${at}.fields`, 25));
    (e.fields ?? []).forEach((f, j) => {
      if (!f.name) out.push(required(`${at}.fields.${j}.name`));
      if (!f.value) out.push(required(`${at}.fields.${j}.value`));
      check(f.name, `fields.${j}.name`, 256);
      check(f.value, `fields.${j}.value`, 1024);
    });
  });
  if (total > 6000)
    out.push({
      path: 'embeds',
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: 'Embed size exceeds maximum size of 6000',
    });
  return out;
}

type Comp = Record<string, unknown> & { type?: number };

const SELECTS = new Set<number>([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

function componentProblems(components: unknown[], v2: boolean): FormProblem[] {
  const out: FormProblem[] = [];
  const ids = new Set<string>();
  if (!v2 && components.length > 5) out.push(tooLong('components', 5));
  const visit = (c: Comp, at: string) => {
    const customId = c.custom_id;
    if (typeof customId === 'string') {
      if (len(customId) > 100) out.push(tooLong(`${at}.custom_id`, 100));
      if (ids.has(customId))
        out.push({
          path: `${at}.custom_id`,
          code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
          message: 'Component custom id cannot be duplicated',
        });
      ids.add(customId);
    }
    if (c.type === ComponentType.ActionRow) {
      const kids = (c.components as Comp[] | undefined) ?? [];
      if (!kids.length) out.push(badLength(`${at}.components`, 1, 5));
      if (kids.some((k) => SELECTS.has(k.type ?? -1)) && kids.length > 1)
        out.push(tooLong(`${at}.components`, 1));
      if (kids.length > 5) out.push(tooLong(`${at}.components`, 5));
      if (!v2 && kids.some((k) => k.type === ComponentType.ActionRow))
        out.push({
          path: `${at}.components`,
          code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
          message: 'Action rows cannot contain action rows',
        });
    }
    if (!v2 && at.split('.').length === 2 && c.type !== ComponentType.ActionRow) {
      out.push({
        path: `${at}.type`,
        code: 'COMPONENT_TYPE_INVALID',
        message: 'Top-level components must be action rows unless IS_COMPONENTS_V2 is set',
      });
    }
    if (c.type === ComponentType.Button) {
      if (len(c.label) > 80) out.push(tooLong(`${at}.label`, 80));
      if (c.style === ButtonStyle.Link) {
        if (!c.url) out.push(required(`${at}.url`));
      } else if (c.style !== ButtonStyle.Premium && typeof customId !== 'string')
        out.push(required(`${at}.custom_id`));
    }
    if (SELECTS.has(c.type ?? -1)) {
      if (typeof customId !== 'string') out.push(required(`${at}.custom_id`));
      if (len(c.placeholder) > 150) out.push(tooLong(`${at}.placeholder`, 150));
      if (c.type === ComponentType.StringSelect) {
        const opts = (c.options as Comp[] | undefined) ?? [];
        if (opts.length < 1 || opts.length > 25) out.push(badLength(`${at}.options`, 1, 25));
        opts.forEach((o, j) => {
          if (len(o.label) > 100) out.push(tooLong(`${at}.options.${j}.label`, 100));
          if (len(o.value) > 100) out.push(tooLong(`${at}.options.${j}.value`, 100));
        });
      }
    }
    for (const key of ['components', 'accessory', 'component'] as const) {
      const child = c[key];
      if (Array.isArray(child)) child.forEach((k, j) => visit(k as Comp, `${at}.${key}.${j}`));
      else if (child && typeof child === 'object') visit(child as Comp, `${at}.${key}`);
    }
  };
  components.forEach((c, i) => visit(c as Comp, `components.${i}`));
  return out;
}

export function validateModal(data: { custom_id?: string; title?: string; components?: unknown[] }): void {
  const out: FormProblem[] = [];
  if (!data.title) out.push(required('data.title'));
  else if (len(data.title) > 45) out.push(tooLong('data.title', 45));
  if (!data.custom_id) out.push(required('data.custom_id'));
  else if (len(data.custom_id) > 100) out.push(tooLong('data.custom_id', 100));
  const comps = (data.components ?? []) as Comp[];
  if (comps.length < 1 || comps.length > 5) out.push(badLength('data.components', 1, 5));
  const inputs = new Set<string>();
  comps.forEach((c, i) => {
    const at = `data.components.${i}`;
    const inner =
      c.type === ComponentType.ActionRow
        ? ((c.components as Comp[] | undefined) ?? [])[0]
        : c.type === ComponentType.Label
          ? (c.component as Comp | undefined)
          : undefined;
    if (c.type === ComponentType.Label && len(c.label) > 45) out.push(tooLong(`${at}.label`, 45));
    if (!inner) return;
    const id = inner.custom_id;
    if (typeof id !== 'string' || !id) out.push(required(`${at}.component.custom_id`));
    else if (inputs.has(id))
      out.push({
        path: `${at}.component.custom_id`,
        code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
        message: 'Component custom id cannot be duplicated',
      });
    else inputs.add(id);
    if (inner.type === ComponentType.TextInput) {
      if (c.type === ComponentType.ActionRow && len(inner.label) > 45)
        out.push(tooLong(`${at}.components.0.label`, 45));
      if (typeof inner.max_length === 'number' && (inner.max_length < 1 || inner.max_length > 4000))
        out.push(badLength(`${at}.component.max_length`, 1, 4000));
      if (len(inner.value) > 4000) out.push(tooLong(`${at}.component.value`, 4000));
      if (len(inner.placeholder) > 100) out.push(tooLong(`${at}.component.placeholder`, 100));
    }
  });
  if (out.length) throw invalidForm(out);
}
