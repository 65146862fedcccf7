// The router's plain building blocks: the catch-all around every input, what a handler is given
// (its FeatureContext) and how its result becomes a Routed answer; the dispatch stays in router.ts.
import type { AuditNote, FeatureContext, FeatureModule, Outcome } from '../../core/feature';
import { t, type Locale } from '../../core/i18n';
import { reply, text } from '../../core/reply';
import type { FeatureRegistry } from './registry';
import {
  DIALOGUE_TTL_SECONDS,
  newReference,
  type Actor,
  type Inbound,
  type Routed,
  type RouterDeps,
} from './router-types';

/** Resolves modals, adds the group notes of private replies. */
export function finishRouted(
  registry: FeatureRegistry,
  actor: Actor,
  outcome: Outcome,
  feature: FeatureModule,
): Routed {
  const locale = actor.identity.locale;
  if (outcome.kind === 'modal') {
    const decl = registry.modal(feature, outcome.action);
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

export function featureContext(
  deps: RouterDeps,
  inb: Inbound,
  actor: Actor,
  feature: FeatureModule,
  onAudit: (n: AuditNote) => void,
): FeatureContext {
  const identityId = actor.identity.id;
  const store = deps.dialogues;
  const registry = deps.registry;
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
    conversation: deps.conversation,
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

export function noteRouted(
  actor: Actor,
  key: Parameters<typeof t>[1],
  params?: Record<string, string | number>,
): Routed {
  const locale = actor.identity.locale;
  return {
    locale,
    outcome: { kind: 'reply', reply: reply([text(t(locale, key, params))], { private: true }) },
  };
}

export function toastRouted(actor: Actor, key: Parameters<typeof t>[1], alert = true): Routed {
  const locale = actor.identity.locale;
  return { locale, outcome: { kind: 'toast', text: t(locale, key), alert } };
}

export function noneRouted(actor: Actor): Routed {
  return { locale: actor.identity.locale, outcome: { kind: 'none' } };
}

/** Identity, roles, and the catch-all: whatever throws becomes a localized error with a reference. */
export async function guardInput(
  deps: RouterDeps,
  inb: Inbound,
  what: string,
  work: (actor: Actor) => Promise<Routed>,
): Promise<Routed> {
  let locale: Locale = 'en';
  try {
    // Side by side: a Telegram role lookup (getChatMember on a cold cache) does not wait
    // for the identity read.
    const [identity, roles] = await Promise.all([
      deps.identities.ensure(inb.contact),
      deps.roles.rolesOf(inb.contact.platform, inb.contact.platformUserId, inb.memberRoleIds),
    ]);
    locale = identity.locale;
    return await work({ identity, roles });
  } catch (err) {
    const ref = newReference();
    deps.logger.error(
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
