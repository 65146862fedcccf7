// The one place where input meets features: identity on first contact, the permission
// check (commands, buttons, modal submits, dialogues, holders), the handler, the audit entry
// for staff actions, and a polite localized answer with a reference id when anything throws.
// Adapters turn platform input into these calls and render the Outcome they get back.
import type { MessageRef } from '../../core/conversation';
import {
  allows,
  asOutcome,
  parseCustomId,
  type Args,
  type AuditNote,
  type DialogueInput,
  type FeatureContext,
  type FeatureModule,
  type HandlerResult,
  type InboundText,
  type Outcome,
  type Permission,
} from '../../core/feature';
import type { t } from '../../core/i18n';
import type { DialogueStore } from './dialogues';
import { FORM_PREFIX, FormRunner } from './forms';
import type { FeatureRegistry } from './registry';
import {
  featureContext,
  finishRouted,
  guardInput,
  noneRouted,
  noteRouted,
  toastRouted,
} from './router-context';
import {
  DIALOGUE_TTL_SECONDS,
  MAX_INPUT_LENGTH,
  type Actor,
  type Inbound,
  type Routed,
  type RouterDeps,
} from './router-types';

export {
  MAX_INPUT_LENGTH,
  newReference,
  type Inbound,
  type Routed,
  type RouterDeps,
  type StaffAuditEntry,
} from './router-types';

export class Router {
  readonly forms: FormRunner;

  constructor(private readonly deps: RouterDeps) {
    this.forms = new FormRunner(this);
  }

  get registry(): FeatureRegistry {
    return this.deps.registry;
  }

  /** A command by its Telegram name, or an already resolved Discord slash command. */
  async command(inb: Inbound, name: string, args: Args): Promise<Routed> {
    return this.timed('command', () => this.commandInner(inb, name, args));
  }

  private async timed<T>(input: 'command' | 'button' | 'modal' | 'text', work: () => Promise<T>): Promise<T> {
    if (!this.deps.observe) return work();
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.deps.observe(input, performance.now() - t0);
    }
  }

  private async commandInner(inb: Inbound, name: string, args: Args): Promise<Routed> {
    return this.guard(inb, name, async (actor) => {
      if ((inb.rawLength ?? 0) > MAX_INPUT_LENGTH)
        return this.note(actor, 'error.tooLong', { length: inb.rawLength!, max: MAX_INPUT_LENGTH });
      const found = this.deps.registry.command(name);
      if (!found) return this.note(actor, 'error.unknownCommand', { command: `/${name.slice(0, 32)}` });
      return this.run(inb, actor, found.feature, found.command.name, found.command.permission, (ctx) =>
        found.command.handler(ctx, args),
      );
    });
  }

  /** A button press, Telegram callback query or Discord component, by custom id. */
  async button(inb: Inbound, customId: string): Promise<Routed> {
    return this.timed('button', () => this.buttonInner(inb, customId));
  }

  private async buttonInner(inb: Inbound, customId: string): Promise<Routed> {
    return this.guard(inb, customId, async (actor) => {
      const id = parseCustomId(customId);
      if (id?.feature === FORM_PREFIX) return this.forms.pick(inb, actor, id.id);
      const feature = id && this.deps.registry.feature(id.feature);
      const decl = feature && this.deps.registry.button(feature, id.action);
      if (!id || !feature || !decl) return this.toast(actor, 'error.staleButton');
      // A button of the feature whose dialogue is running feeds the dialogue (looked up only
      // for features that have dialogues: one Redis round trip less on every other press).
      const running = feature.dialogues?.length ? await this.deps.dialogues.get(actor.identity.id) : null;
      if (running && running.feature === feature.id && this.deps.registry.dialogue(feature.id, running.name))
        return this.dialogueStep(inb, actor, { kind: 'button', action: id.action, id: id.id });
      return this.run(inb, actor, feature, id.action || 'press', decl.permission, (ctx) =>
        decl.handler(ctx, id.id),
      );
    });
  }

  /** A Discord modal submit (Telegram forms end here too, through FormRunner). */
  async modalSubmit(inb: Inbound, customId: string, values: Args): Promise<Routed> {
    return this.timed('modal', () =>
      this.guard(inb, customId, async (actor) => this.submit(inb, actor, customId, values)),
    );
  }

  async submit(inb: Inbound, actor: Actor, customId: string, values: Args): Promise<Routed> {
    const id = parseCustomId(customId);
    const feature = id && this.deps.registry.feature(id.feature);
    const decl = feature && this.deps.registry.modal(feature, id.action);
    if (!id || !feature || !decl) return this.toast(actor, 'error.staleButton');
    return this.run(inb, actor, feature, id.action, decl.permission, (ctx) =>
      decl.submit(ctx, values, id.id),
    );
  }

  /**
   * Free text (not a command) from a DM or a thread/topic: the running dialogue first, then
   * the holders in order. Null when nobody holds the conversation (groups stay quiet).
   */
  async text(inb: Inbound, body: string): Promise<Routed | null> {
    return this.timed('text', () => this.textInner(inb, body));
  }

  private async textInner(inb: Inbound, body: string): Promise<Routed | null> {
    let taken: Routed | null = null;
    const routed = await this.guard(inb, 'text', async (actor) => {
      if (body.length > MAX_INPUT_LENGTH)
        return (taken = this.note(actor, 'error.tooLong', { length: body.length, max: MAX_INPUT_LENGTH }));
      const running = await this.deps.dialogues.get(actor.identity.id);
      if (running && inb.origin.kind === 'dm') {
        taken =
          running.feature === FORM_PREFIX
            ? await this.forms.answer(inb, actor, running, body)
            : await this.dialogueStep(inb, actor, { kind: 'text', text: body });
        return taken;
      }
      // A file without a caption answers a form's file step, or a holder that takes files.
      const filesOnly = !body.trim() && !!inb.files?.length;
      const input: InboundText = { text: body, origin: inb.origin, message: inb.message ?? this.noRef(inb) };
      for (const { feature, holder } of this.deps.registry.holders) {
        if (inb.origin.kind === 'group' || !holder.where.includes(inb.origin.kind)) continue;
        if (filesOnly && !holder.files) continue;
        if (!allows(holder.permission, actor.roles)) continue;
        const ctx = this.context(inb, actor, feature, () => {});
        const result = await holder.offer(ctx, input);
        if (result) {
          taken = this.finish(actor, asOutcome(result), feature);
          if (holder.permission !== 'everyone') await this.auditDone(actor, feature.id, holder.name, null);
          return taken;
        }
      }
      return this.none(actor);
    });
    // An error inside a holder still gets its polite answer.
    return taken ?? (routed.outcome.kind === 'none' ? null : routed);
  }

  /**
   * An edited message in a DM or a thread/topic: offered to the holders that take edits, in
   * order, until one says it was its message. Nothing is answered.
   */
  async edited(inb: Inbound, body: string): Promise<void> {
    if (inb.origin.kind === 'group' || !inb.message || body.length > MAX_INPUT_LENGTH) return;
    const input: InboundText = { text: body, origin: inb.origin, message: inb.message };
    await this.guard(inb, 'edit', async (actor) => {
      for (const { feature, holder } of this.deps.registry.holders) {
        if (!holder.edited || !holder.where.includes(inb.origin.kind as 'dm' | 'thread')) continue;
        if (!allows(holder.permission, actor.roles)) continue;
        const ctx = this.context(inb, actor, feature, () => {});
        if (await holder.edited(ctx, input)) break;
      }
      return this.none(actor);
    });
  }

  private noRef(inb: Inbound): MessageRef {
    return { platform: inb.contact.platform, chatId: inb.origin.chatId, messageId: '' };
  }

  async dialogueStep(inb: Inbound, actor: Actor, input: DialogueInput): Promise<Routed> {
    const running = (await this.deps.dialogues.get(actor.identity.id))!;
    const found = this.deps.registry.dialogue(running.feature, running.name);
    if (!found) {
      await this.deps.dialogues.clear(actor.identity.id);
      return this.none(actor);
    }
    const { feature, decl } = found;
    return this.run(inb, actor, feature, `dialogue.${decl.name}`, decl.permission, async (ctx) => {
      const step = await decl.step(ctx, running.state, input);
      if ('end' in step) await this.deps.dialogues.clear(actor.identity.id);
      else
        await this.deps.dialogues.set(
          actor.identity.id,
          { feature: feature.id, name: decl.name, state: step.next },
          decl.ttlSeconds ?? DIALOGUE_TTL_SECONDS,
        );
      return step.say ?? { kind: 'none' };
    });
  }

  /** Identity, roles, and the catch-all: whatever throws becomes a localized error with a reference. */
  async guard(inb: Inbound, what: string, work: (actor: Actor) => Promise<Routed>): Promise<Routed> {
    return guardInput(this.deps, inb, what, work);
  }

  /** The permission check, the handler, and the audit entry: the same path for every kind of input. */
  async run(
    inb: Inbound,
    actor: Actor,
    feature: FeatureModule,
    action: string,
    permission: Permission,
    handler: (ctx: FeatureContext) => Promise<HandlerResult>,
  ): Promise<Routed> {
    if (!allows(permission, actor.roles)) {
      this.deps.logger.info(
        { feature: feature.id, action, platform: inb.contact.platform, user: actor.identity.userId },
        'refused: missing role',
      );
      const key = permission === 'moderator' ? 'error.forbidden.moderator' : 'error.forbidden.staff';
      // A toast: a callback answer with text on Telegram, an ephemeral reply on Discord.
      return this.toast(actor, key, true);
    }
    let note: AuditNote | null = null;
    const ctx = this.context(inb, actor, feature, (n) => (note = n));
    const outcome = asOutcome(await handler(ctx));
    // One audit row per change: a handler that changed nothing (lost a race, a repeat) says so.
    const unchanged = (note as AuditNote | null)?.unchanged === true;
    if (permission !== 'everyone' && !unchanged) await this.auditDone(actor, feature.id, action, note);
    return this.finish(actor, outcome, feature);
  }

  private async auditDone(actor: Actor, feature: string, action: string, note: AuditNote | null) {
    await this.deps.audit({
      action: `staff.${feature}.${action}`,
      subjectType: note?.subjectType ?? 'feature',
      subjectId: note?.subjectId ?? feature,
      actorUserId: actor.identity.userId,
      actorIdentityId: actor.identity.id,
      ...(note?.details ? { details: note.details } : {}),
    });
  }

  /** Resolves modals, adds the group notes of private replies. */
  finish(actor: Actor, outcome: Outcome, feature: FeatureModule): Routed {
    return finishRouted(this.deps.registry, actor, outcome, feature);
  }

  context(
    inb: Inbound,
    actor: Actor,
    feature: FeatureModule,
    onAudit: (n: AuditNote) => void,
  ): FeatureContext {
    return featureContext(this.deps, inb, actor, feature, onAudit);
  }

  note(actor: Actor, key: Parameters<typeof t>[1], params?: Record<string, string | number>): Routed {
    return noteRouted(actor, key, params);
  }

  toast(actor: Actor, key: Parameters<typeof t>[1], alert = true): Routed {
    return toastRouted(actor, key, alert);
  }

  none(actor: Actor): Routed {
    return noneRouted(actor);
  }

  get dialogues(): DialogueStore {
    return this.deps.dialogues;
  }
}
