// The chat-side variables (Telegram, Discord, support tickets, the assistant), one schema group
// per area so the variable list stays readable; core/config-fields.ts assembles them in order.
import { z } from 'zod';
import {
  duration,
  guildChannels,
  int,
  optional,
  roleIdList,
  slaSpec,
  snowflake,
  url,
  withDefault,
} from './config-types';

export const telegramFields = {
  TELEGRAM_BOT_TOKEN: optional(
    z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, {
      message: 'must look like <bot id>:<secret> as given by @BotFather (example: 123456789:AAE...)',
    }),
  ),
  TELEGRAM_API_ROOT: withDefault(
    url(['http:', 'https:'], 'https://api.telegram.org'),
    'https://api.telegram.org',
  ),
  TELEGRAM_STAFF_CHAT_ID: optional(
    z.string().regex(/^-?\d{1,20}$/, { message: 'must be a Telegram chat id (example: -1001234567890)' }),
  ),
  TELEGRAM_WEBHOOK_URL: optional(url(['https:', 'http:'], 'https://nodedesk.example.org/telegram/webhook')),
  TELEGRAM_WEBHOOK_SECRET: optional(
    z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, {
      message: 'must be 1-256 letters, digits, "_" or "-" (example: s3cr3t_value)',
    }),
  ),
};

export const discordFields = {
  DISCORD_TOKEN: optional(
    z.string().min(20, { message: 'is too short to be a Discord bot token (example: MTA...abc.def.ghi)' }),
  ),
  DISCORD_APPLICATION_ID: optional(snowflake()),
  DISCORD_GUILD_ID: optional(snowflake()),
  DISCORD_API_BASE: withDefault(
    url(['http:', 'https:'], 'https://discord.com/api'),
    'https://discord.com/api',
  ),
  DISCORD_STAFF_ROLE_IDS: roleIdList(),
  DISCORD_MOD_CHANNEL_ID: optional(snowflake()),
  // Moderator roles; empty = the staff roles (checked in bots/shared/roles.ts).
  DISCORD_MOD_ROLE_IDS: roleIdList(),
};

export const ticketFields = {
  // Support tickets (ticketing/).
  DISCORD_SUPPORT_CHANNEL_ID: optional(snowflake()),
  /** One support channel per guild; a guild not listed (and a ticket with no guild) uses DISCORD_SUPPORT_CHANNEL_ID. */
  DISCORD_SUPPORT_CHANNELS: withDefault(guildChannels, ''),
  /** Staff-only channel for closed-ticket transcripts; defaults to DISCORD_MOD_CHANNEL_ID. */
  TICKETS_LOG_CHANNEL_ID: optional(snowflake()),
  TICKETS_HOME: withDefault(
    z.enum(['own', 'discord', 'telegram'], { error: 'must be own, discord or telegram (example: own)' }),
    'own',
  ),
  TICKETS_CATEGORIES_FILE: optional(z.string()),
  TICKETS_MAX_OPEN: withDefault(int(1, 100, '3'), '3'),
  TICKETS_PER_HOUR: withDefault(int(1, 1_000, '5'), '5'),
  TICKETS_SLA: optional(slaSpec),
  /** Share of an SLA after which staff are warned, in percent. */
  TICKETS_SLA_WARN_PERCENT: withDefault(int(1, 99, '80'), '80'),
  TICKETS_IDLE_WARN_AFTER: withDefault(duration('48h'), '48h'),
  TICKETS_IDLE_CLOSE_AFTER: withDefault(duration('24h'), '24h'),
  TICKETS_REOPEN_WINDOW: withDefault(duration('7d'), '7d'),
};

export const assistantFields = {
  OPENAI_API_KEY: optional(z.string()),
  OPENAI_BASE_URL: optional(url(['http:', 'https:'], 'https://api.openai.com/v1')),
  OPENAI_MODEL: withDefault(z.string().min(1), 'gpt-4o-mini'),
  /** An AI answer not back by then is replaced by the retrieval answer. */
  ASSISTANT_AI_TIMEOUT_MS: withDefault(int(500, 120_000, '15000'), '15000'),
};
