// The one place where input meets features: identity on first contact, the permission
// check (commands, buttons, modal submits, dialogues, holders), the handler, the audit entry
// for staff actions, and a polite localized answer with a reference id when anything throws.
// Adapters turn platform input into these calls and render the Outcome they get back.
import crypto from 'node:crypto';
import type { Contact, IdentityRecord, IdentityService } from '../../accounts/identity';
import type { ConversationPort, MessageRef, Target } from '../../core/conversation';
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
  type InboundFile,
  type InboundText,
  type ModalDecl,
  type Origin,
  type Outcome,
  type Permission,
} from '../../core/feature';
import { t, type Locale } from '../../core/i18n';
import type { Logger } from '../../core/logger';
import { reply, text } from '../../core/reply';
import type { DialogueStore } from './dialogues';
import { FORM_PREFIX, FormRunner } from './forms';
import type { FeatureRegistry } from './registry';
import type { RoleResolver, Roles } from './roles';

/** Longest message we process; Telegram's own limit is 4096, Discord's 2000-4000. */
export const MAX_INPUT_LENGTH = 4096;
const DIALOGUE_TTL_SECONDS = 30 * 60;

export interface Inbound {
  contact: Contact;
  displayName: string;
  origin: Origin;
  here: Target;
  /** The message that carried a pressed button (or the user's own message for text). */
  message?: MessageRef;
  /** Discord: the member's role ids from the interaction, when it came from the guild. */
  memberRoleIds?: readonly string[];
  rawLength?: number;
  /** Files sent with the input (a captioned Telegram photo or document). */
  files?: InboundFile[];
  /** Discord: the guild the input came from (handed to features as `ctx.guildId`). */
  guildId?: string;
  /** Downloads one of `files` from the platform (handed to features as `ctx.fetchFile`). */
  fetchFile?: (file: InboundFile) => Promise<Buffer | null>;
}

export interface Routed {
  outcome: Outcome;
  locale: Locale;
  /** Set when the outcome is a Discord modal to show. */
  modal?: { decl: ModalDecl; customId: string; prefill?: Args };
}

export interface StaffAuditEntry {
  action: string;
  subjectType: string;
  subjectId: string;
  actorUserId: string;
  actorIdentityId: string;
  details?: Record<string, unknown>;
}

export interface RouterDeps {
  registry: FeatureRegistry;
  identities: Pick<IdentityService, 'ensure'>;
  roles: RoleResolver;
  dialogues: DialogueStore;
  conversation: ConversationPort;
  /** Writes one audit entry (the audit log), for every successful staff action. */
  audit: (entry: StaffAuditEntry) => Promise<void>;
  logger: Logger;
  /** Time spent routing one input, in ms (benchmarks; metrics). */
  observe?: (input: 'command' | 'button' | 'modal' | 'text', ms: number) => void;
}

export const newReference = () => crypto.randomBytes(4).toString('hex');

interface Actor {
  identity: IdentityRecord;
  roles: Roles;
}

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
    let locale: Locale = 'en';
    try {
      // Side by side: a Telegram role lookup (getChatMember on a cold cache) does not wait
      // for the identity read.
      const [identity, roles] = await Promise.all([
        this.deps.identities.ensure(inb.contact),
        this.deps.roles.rolesOf(inb.contact.platform, inb.contact.platformUserId, inb.memberRoleIds),
      ]);
      locale = identity.locale;
      return await work({ identity, roles });
    } catch (err) {
      const ref = newReference();
      this.deps.logger.error(
        {
          ref,
          input: what.slice(0, 80),
          platform: inb.contact.platform,
          err: { message: (err as Error).message, stack: (err as Error).stack },
        },
        'command failed',
      );
      return {
        locale,
        outcome: {
          kind: 'reply',
          reply: reply([text(t(locale, 'error.internal', { ref }))], { private: true }),
        },
      };
    }
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
    const locale = actor.identity.locale;
    if (outcome.kind === 'modal') {
      const decl = this.deps.registry.modal(feature, outcome.action);
      if (!decl) throw new Error(`feature ${feature.id} has no modal ${outcome.action}`);
      return {
        locale,
        outcome,
        modal: {
          decl,
          customId: `${feature.id}:${outcome.action}:${outcome.arg ?? ''}`,
          ...(outcome.prefill ? { prefill: outcome.prefill } : {}),
        },
      };
    }
    if (outcome.kind === 'reply' && outcome.reply.private)
      outcome.reply.groupNotices = {
        sentToDm: t(locale, 'private.sentToDm'),
        openDmFirst: t(locale, 'private.openDmFirst'),
      };
    return { locale, outcome };
  }

  context(
    inb: Inbound,
    actor: Actor,
    feature: FeatureModule,
    onAudit: (n: AuditNote) => void,
  ): FeatureContext {
    const identityId = actor.identity.id;
    const store = this.deps.dialogues;
    const registry = this.deps.registry;
    return {
      feature: feature.id,
      actor: { identity: actor.identity, displayName: inb.displayName, roles: actor.roles },
      locale: actor.identity.locale,
      t: (key, params) => t(actor.identity.locale, key, params),
      origin: inb.origin,
      here: inb.here,
      ...(inb.message ? { message: inb.message } : {}),
      ...(inb.files?.length ? { files: inb.files } : {}),
      ...(inb.fetchFile ? { fetchFile: inb.fetchFile } : {}),
      ...(inb.guildId ? { guildId: inb.guildId } : {}),
      conversation: this.deps.conversation,
      auditAs: onAudit,
      dialogue: {
        async start(name, state) {
          const decl = registry.dialogue(feature.id, name)?.decl;
          if (!decl) throw new Error(`feature ${feature.id} has no dialogue ${name}`);
          await store.set(
            identityId,
            { feature: feature.id, name, state },
            decl.ttlSeconds ?? DIALOGUE_TTL_SECONDS,
          );
        },
        end: () => store.clear(identityId),
        current: () => store.get(identityId),
      },
    };
  }

  note(actor: Actor, key: Parameters<typeof t>[1], params?: Record<string, string | number>): Routed {
    const locale = actor.identity.locale;
    return {
      locale,
      outcome: { kind: 'reply', reply: reply([text(t(locale, key, params))], { private: true }) },
    };
  }

  toast(actor: Actor, key: Parameters<typeof t>[1], alert = true): Routed {
    const locale = actor.identity.locale;
    return { locale, outcome: { kind: 'toast', text: t(locale, key), alert } };
  }

  none(actor: Actor): Routed {
    return { locale: actor.identity.locale, outcome: { kind: 'none' } };
  }

  get dialogues(): DialogueStore {
    return this.deps.dialogues;
  }
}
