// Platform identities. Any first command creates the user and identity (no prior /start
// needed); the language comes from the platform's setting until the user picks one.
import type { Platform, PrismaClient } from '@prisma/client';
import { resolveLocale, type Locale } from '../core/i18n';

export interface Contact {
  platform: Platform;
  platformUserId: string;
  username?: string | null;
  /** Telegram `language_code` or Discord `locale`. */
  languageCode?: string | null;
  /** Where a DM reaches this person: Telegram private chat id, Discord DM channel id. */
  dmChatId?: string | null;
}

export interface IdentityRecord {
  id: string;
  userId: string;
  platform: Platform;
  platformUserId: string;
  username: string | null;
  locale: Locale;
  localeIsChosen: boolean;
  dmChatId: string | null;
  dmReachable: boolean;
}

function toRecord(row: {
  id: string;
  userId: string;
  platform: Platform;
  platformUserId: string;
  username: string | null;
  locale: string;
  localeIsChosen: boolean;
  dmChatId: string | null;
  dmReachable: boolean;
}): IdentityRecord {
  return { ...row, locale: resolveLocale(row.locale) };
}

/** Usernames are user-controlled: keep them bounded and free of control characters. */
function cleanUsername(name: string | null | undefined): string | null {
  if (!name) return null;
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64);
  return cleaned || null;
}

export class IdentityService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Finds or creates the identity for a contact and refreshes what the platform tells us
   * (username, DM chat, language while the user has not chosen one). Safe under races:
   * two first messages at once end in one identity.
   */
  async ensure(contact: Contact): Promise<IdentityRecord> {
    const username = cleanUsername(contact.username);
    const platformLocale = resolveLocale(contact.languageCode);
    const key = {
      platform_platformUserId: { platform: contact.platform, platformUserId: contact.platformUserId },
    };
    const existing = await this.prisma.identity.findUnique({ where: key });
    if (existing) {
      const patch: Record<string, unknown> = {};
      if (username && username !== existing.username) patch.username = username;
      if (contact.dmChatId && contact.dmChatId !== existing.dmChatId) patch.dmChatId = contact.dmChatId;
      if (!existing.localeIsChosen && contact.languageCode && platformLocale !== existing.locale) {
        patch.locale = platformLocale;
      }
      // Refreshed at most once a minute: one write per burst of commands, not per command.
      if (Date.now() - existing.lastActiveAt.getTime() > 60_000) patch.lastActiveAt = new Date();
      // A user who writes to us again has unblocked the bot.
      if (!existing.dmReachable) {
        patch.dmReachable = true;
        patch.dmFailedAt = null;
      }
      if (Object.keys(patch).length === 0) return toRecord(existing);
      return toRecord(await this.prisma.identity.update({ where: { id: existing.id }, data: patch }));
    }
    try {
      const created = await this.prisma.identity.create({
        data: {
          platform: contact.platform,
          platformUserId: contact.platformUserId,
          username,
          locale: platformLocale,
          dmChatId: contact.dmChatId ?? null,
          user: { create: {} },
        },
      });
      return toRecord(created);
    } catch (err) {
      // Lost a race with a concurrent first message: the other one created it.
      if ((err as { code?: string }).code === 'P2002') {
        const row = await this.prisma.identity.findUnique({ where: key });
        if (row) return toRecord(row);
      }
      throw err;
    }
  }

  async setLocale(identityId: string, locale: Locale): Promise<IdentityRecord> {
    return toRecord(
      await this.prisma.identity.update({
        where: { id: identityId },
        data: { locale, localeIsChosen: true },
      }),
    );
  }

  async get(identityId: string): Promise<IdentityRecord | null> {
    const row = await this.prisma.identity.findUnique({ where: { id: identityId } });
    return row ? toRecord(row) : null;
  }

  async identitiesOfUser(userId: string): Promise<IdentityRecord[]> {
    const rows = await this.prisma.identity.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
    return rows.map(toRecord);
  }

  /** Remembers where DMs to this identity go (Discord: the DM channel opened for them). */
  async setDmChat(platform: Platform, platformUserId: string, dmChatId: string): Promise<void> {
    await this.prisma.identity.updateMany({
      // A NULL column is not "different" in SQL: match it explicitly.
      where: { platform, platformUserId, OR: [{ dmChatId: null }, { NOT: { dmChatId } }] },
      data: { dmChatId },
    });
  }

  /** The platform said the user blocked the bot (Telegram 403, Discord 50007). */
  async markUnreachable(identityId: string): Promise<void> {
    await this.prisma.identity.update({
      where: { id: identityId },
      data: { dmReachable: false, dmFailedAt: new Date() },
    });
  }
}
