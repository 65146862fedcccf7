// Telegram has no modals: a declared modal is asked there one field at a time, as a
// persisted dialogue (select fields as buttons, file fields take a photo or document sent at
// that step, `-` skips an optional field, /cancel leaves).
// The values then go to the same `submit` as a Discord modal's.
import type { IdentityRecord } from '../../accounts/identity';
import { encodeFiles, parseCustomId, type Args, type ModalDecl, type ModalField } from '../../core/feature';
import { t } from '../../core/i18n';
import { reply, text } from '../../core/reply';
import type { StoredDialogue } from './dialogues';
import type { Inbound, Routed, Router } from './router';
import type { Roles } from './roles';

/** Reserved id prefix: dialogue marker and the buttons of select fields (`form:pick:<value>`). */
export const FORM_PREFIX = 'form';
const FORM_TTL_SECONDS = 30 * 60;

interface Actor {
  identity: IdentityRecord;
  roles: Roles;
}

interface FormState {
  values: Args;
  index: number;
}

export class FormRunner {
  constructor(private readonly router: Router) {}

  /** Starts the form for a modal outcome and asks the first field. */
  start(inb: Inbound, modal: NonNullable<Routed['modal']>): Promise<Routed> {
    return this.router.guard(inb, modal.customId, async (actor) => {
      const state: FormState = { values: { ...(modal.prefill ?? {}) }, index: 0 };
      return this.ask(actor, modal.customId, modal.decl, state);
    });
  }

  private decl(customId: string): ModalDecl | null {
    const id = parseCustomId(customId);
    const feature = id && this.router.registry.feature(id.feature);
    return (feature && id && this.router.registry.modal(feature, id.action)) || null;
  }

  private async ask(actor: Actor, customId: string, decl: ModalDecl, state: FormState): Promise<Routed> {
    const field = decl.fields[state.index]!;
    await this.router.dialogues.set(
      actor.identity.id,
      { feature: FORM_PREFIX, name: customId, state: { values: state.values, index: state.index } },
      FORM_TTL_SECONDS,
    );
    return {
      locale: actor.identity.locale,
      outcome: { kind: 'reply', reply: this.prompt(actor, decl, field, state.index) },
    };
  }

  private prompt(actor: Actor, decl: ModalDecl, field: ModalField, index: number) {
    const l = actor.identity.locale;
    const head = t(l, 'form.step', {
      title: t(l, decl.titleKey),
      step: index + 1,
      total: decl.fields.length,
      label: t(l, field.labelKey),
    });
    const lines = [head];
    if (field.required === false) lines.push(t(l, 'form.optional'));
    lines.push(t(l, 'form.cancel'));
    return reply(
      lines.map(text),
      field.kind === 'select'
        ? {
            buttons: field.options.map((o) => [
              { id: `${FORM_PREFIX}:pick:${o.value}`, label: o.labelKey ? t(l, o.labelKey) : o.value },
            ]),
          }
        : {},
    );
  }

  /** A text answer to the current field. */
  async answer(inb: Inbound, actor: Actor, running: StoredDialogue, body: string): Promise<Routed> {
    const decl = this.decl(running.name);
    if (!decl) {
      await this.router.dialogues.clear(actor.identity.id);
      return this.router.none(actor);
    }
    const state = running.state as unknown as FormState;
    const field = decl.fields[state.index]!;
    const value = body.trim();
    const l = actor.identity.locale;
    const again = (
      key: 'form.pick' | 'form.tooShort' | 'form.tooLong' | 'form.required' | 'form.file',
      p = {},
    ) => ({
      locale: l,
      outcome: {
        kind: 'reply' as const,
        reply: reply([text(t(l, key, p))], {}),
      },
    });
    if (field.kind === 'select') return again('form.pick');
    if (value === '-' && field.required === false)
      return this.next(inb, actor, running.name, decl, state, null);
    if (field.kind === 'file')
      return inb.files?.length
        ? this.next(inb, actor, running.name, decl, state, encodeFiles(inb.files))
        : again('form.file');
    if (!value) return again('form.required');
    if (field.minLength && value.length < field.minLength)
      return again('form.tooShort', { min: field.minLength });
    if (field.maxLength && value.length > field.maxLength)
      return again('form.tooLong', { max: field.maxLength });
    return this.next(inb, actor, running.name, decl, state, value);
  }

  /** A select field answered with its button. */
  async pick(inb: Inbound, actor: Actor, value: string): Promise<Routed> {
    const running = await this.router.dialogues.get(actor.identity.id);
    const decl = running?.feature === FORM_PREFIX ? this.decl(running.name) : null;
    if (!running || !decl) return this.router.toast(actor, 'error.staleButton');
    const state = running.state as unknown as FormState;
    const field = decl.fields[state.index]!;
    if (field.kind !== 'select' || !field.options.some((o) => o.value === value))
      return this.router.toast(actor, 'error.staleButton');
    return this.next(inb, actor, running.name, decl, state, value);
  }

  private async next(
    inb: Inbound,
    actor: Actor,
    customId: string,
    decl: ModalDecl,
    state: FormState,
    value: string | null,
  ): Promise<Routed> {
    const field = decl.fields[state.index]!;
    const values = { ...state.values, ...(value !== null ? { [field.name]: value } : {}) };
    if (state.index + 1 < decl.fields.length)
      return this.ask(actor, customId, decl, { values, index: state.index + 1 });
    await this.router.dialogues.clear(actor.identity.id);
    return this.router.submit(inb, actor, customId, values);
  }
}
