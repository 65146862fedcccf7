// The composition root's small parts: which platforms are on, the public base URL, the built-in
// features, the platform ports with their role sources, the staff auditor; compose.ts wires them.
import type { Platform } from '@prisma/client';
import { audit } from '../accounts/audit';
import type { AssistantParts } from '../assistant/compose';
import { assistantFeature } from '../assistant/feature';
import type { TicketHandoff } from '../assistant/handoff';
import { discordRoles } from '../bots/discord/roles';
import { DiscordConversation } from '../bots/discord/conversation';
import { alertsFeature } from '../bots/features/alerts';
import { basicsFeature } from '../bots/features/basics';
import { nodesFeature } from '../bots/features/nodes';
import { walletsFeature } from '../bots/features/wallets';
import type { PlatformPort } from '../bots/shared/port';
import type { FeatureRegistry } from '../bots/shared/registry';
import type { RoleSource } from '../bots/shared/roles';
import type { StaffAuditEntry } from '../bots/shared/router-types';
import type { Services } from '../bots/shared/services';
import { TelegramConversation } from '../bots/telegram/conversation';
import { telegramRoles } from '../bots/telegram/roles';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { FeatureModule } from '../core/feature';

export function enabledPlatforms(config: Config): Set<Platform> {
  const set = new Set<Platform>();
  if (config.TELEGRAM_BOT_TOKEN) set.add('TELEGRAM');
  if (config.DISCORD_TOKEN) set.add('DISCORD');
  return set;
}

export function publicBaseUrl(config: Config): string {
  return (config.PUBLIC_BASE_URL ?? `http://localhost:${config.HTTP_PORT || 8080}`).replace(/\/+$/, '');
}

/** The built-in features, in /help and menu order; tickets, moderation, the assistant join here. */
export function builtinFeatures(
  services: Services,
  registry: () => FeatureRegistry,
  assistant?: AssistantParts,
  extra: FeatureModule[] = [],
  /** The assistant's "I don't know" → prefilled ticket, once tickets exist. */
  tickets?: TicketHandoff,
): FeatureModule[] {
  return [
    basicsFeature(services, () => registry().commands()),
    walletsFeature(services),
    nodesFeature(services),
    alertsFeature(services),
    ...(assistant
      ? [assistantFeature({ assistant: assistant.assistant, ...(tickets ? { tickets } : {}) })]
      : []),
    ...extra,
  ];
}

/** The platforms' outbound ports and their staff role sources, for the tokens configured. */
export function platformPorts(config: Config): {
  ports: PlatformPort[];
  roleSources: Partial<Record<Platform, RoleSource>>;
} {
  const ports: PlatformPort[] = [];
  const roleSources: Partial<Record<Platform, RoleSource>> = {};
  if (config.TELEGRAM_BOT_TOKEN) {
    ports.push(TelegramConversation.fromToken(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT));
    if (config.TELEGRAM_STAFF_CHAT_ID)
      roleSources.TELEGRAM = telegramRoles(
        config.TELEGRAM_BOT_TOKEN,
        config.TELEGRAM_API_ROOT,
        config.TELEGRAM_STAFF_CHAT_ID,
      );
  }
  if (config.DISCORD_TOKEN) {
    ports.push(DiscordConversation.fromToken(config.DISCORD_TOKEN, config.DISCORD_API_BASE));
    // Staff are judged by the member roles an interaction or guild message carries, which
    // are the roles in the guild it happens in: that needs no guild of our own, so several
    // guilds (global commands, no DISCORD_GUILD_ID) have staff too. Input without roles
    // (DMs) looks the member up in the guilds the deployment names.
    if (config.DISCORD_STAFF_ROLE_IDS.length || config.DISCORD_MOD_ROLE_IDS.length)
      roleSources.DISCORD = discordRoles({
        token: config.DISCORD_TOKEN,
        apiBase: config.DISCORD_API_BASE,
        guildIds: [
          ...(config.DISCORD_GUILD_ID ? [config.DISCORD_GUILD_ID] : []),
          ...Object.keys(config.DISCORD_SUPPORT_CHANNELS),
        ],
        staffRoleIds: config.DISCORD_STAFF_ROLE_IDS,
        modRoleIds: config.DISCORD_MOD_ROLE_IDS,
      });
  }
  return { ports, roleSources };
}

/** Writes a staff action to the audit log (the router and the dashboard share it). */
export const staffAuditor = (prisma: Db['prisma']) => (e: StaffAuditEntry) =>
  audit(prisma, {
    action: e.action as `staff.${string}`,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    actorUserId: e.actorUserId,
    actorIdentityId: e.actorIdentityId,
    ...(e.details ? { details: e.details as Record<string, string> } : {}),
  });
