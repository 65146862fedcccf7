// What the built-in features' handlers use: the actor's identity and language plus the
// services the composition root passed in. Built from a FeatureContext per call.
import type { IdentityRecord } from '../../accounts/identity';
import type { FeatureContext } from '../../core/feature';
import type { Locale } from '../../core/i18n';
import type { Services } from '../shared/services';

export interface CommandContext {
  identity: IdentityRecord;
  locale: Locale;
  services: Services;
  /** Display name for greetings (user-controlled: rendered escaped by the adapter). */
  displayName: string;
}

export const commandContext = (ctx: FeatureContext, services: Services): CommandContext => ({
  identity: ctx.actor.identity,
  locale: ctx.locale,
  services,
  displayName: ctx.actor.displayName,
});
