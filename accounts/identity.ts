// Platform identities. Any first command creates the user and identity (no prior /start
// needed); the language comes from the platform's setting until the user picks one.
// Every chat update runs `ensure`, so its path is plain SQL on the pg pool when one is given:
// Prisma plans each query in WebAssembly on the main thread (about 4 ms of CPU a lookup
// against well under 1 ms for the same statement raw), and the bots' event loop is the
// bottleneck under load. First contacts (rare) still go through Prisma's nested create.
import type { Platform, PrismaClient } from '@prisma/client';
import type pg from 'pg';
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
  // Field by field: Prisma rows and plain SQL rows carry different extra columns.
  return {
    id: row.id,
    userId: row.userId,
    platform: row.platform,
    platformUserId: row.platformUserId,
    username: row.username,
    locale: resolveLocale(row.locale),
    localeIsChosen: row.localeIsChosen,
    dmChatId: row.dmChatId,
    dmReachable: row.dmReachable,
  };
}

/** Usernames are user-controlled: keep them bounded and free of control characters. */
function cleanUsername(name: string | null | undefined): string | null {
  if (!name) return null;
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64);
  return cleaned || null;
}

/** The columns of IdentityRecord, with the aliases `toRecord` expects. */
const COLUMNS = `id, user_id AS "userId", platform, platform_user_id AS "platformUserId", username, locale,
  locale_is_chosen AS "localeIsChosen", dm_chat_id AS "dmChatId", dm_reachable AS "dmReachable"`;
const BY_KEY = `SELECT ${COLUMNS}, last_active_at AS "lastActiveAt" FROM identities
  WHERE platform = $1::"Platform" AND platform_user_id = $2`;
// The snapshot of a CTE's outer SELECT is taken before the UPDATE: when nothing needed
// changing (the usual repeat press of a language button) the row comes back unwritten.
const SET_LOCALE = `WITH changed AS (
    UPDATE identities SET locale = $2, locale_is_chosen = true, updated_at = now()
     WHERE id = $1 AND (locale <> $2 OR NOT locale_is_chosen) RETURNING ${COLUMNS})
  SELECT * FROM changed
  UNION ALL SELECT ${COLUMNS} FROM identities WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)`;

type Row = Parameters<typeof toRecord>[0] & { lastActiveAt: Date };
/** Patchable columns: IdentityService field → SQL column. */
const PATCH_COLUMNS: Record<keyof Patch, string> = {
  username: 'username',
  dmChatId: 'dm_chat_id',
  locale: 'locale',
  lastActiveAt: 'last_active_at',
  dmReachable: 'dm_reachable',
  dmFailedAt: 'dm_failed_at',
};
interface Patch {
  username?: string;
  dmChatId?: string;
  locale?: string;
  lastActiveAt?: Date;
  dmReachable?: boolean;
  dmFailedAt?: Date | null;
}

export class IdentityService {
  /** `pool`: the pool under `prisma` (same schema); given, the per-update path skips Prisma. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool?: pg.Pool,
  ) {}

  private async byKey(platform: Platform, platformUserId: string): Promise<Row | null> {
    if (!this.pool)
      return this.prisma.identity.findUnique({
        where: { platform_platformUserId: { platform, platformUserId } },
      });
    const { rows } = await this.pool.query<Row>(BY_KEY, [platform, platformUserId]);
    return rows[0] ?? null;
  }

  private async patch(id: string, patch: Patch): Promise<Row> {
    if (!this.pool) return this.prisma.identity.update({ where: { id }, data: patch });
    const fields = Object.keys(patch) as (keyof Patch)[];
    const sets = fields.map((f, i) => `${PATCH_COLUMNS[f]} = $${i + 2}`);
    const { rows } = await this.pool.query<Row>(
      `UPDATE identities SET ${sets.join(', ')}, updated_at = now() WHERE id = $1
        RETURNING ${COLUMNS}, last_active_at AS "lastActiveAt"`,
      [id, ...fields.map((f) => patch[f])],
    );
    // As Prisma's update does (P2025): a row deleted in between is an error, not a silent miss.
    if (!rows[0]) throw new Error(`identity ${id} vanished during update`);
    return rows[0];
  }

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
    const existing = await this.byKey(contact.platform, contact.platformUserId);
    if (existing) {
      const patch: Patch = {};
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
      return toRecord(await this.patch(existing.id, patch));
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
    if (this.pool) {
      const { rows } = await this.pool.query<Row>(SET_LOCALE, [identityId, locale]);
      if (!rows[0]) throw new Error(`identity ${identityId} not found`);
      return toRecord(rows[0]);
    }
    return toRecord(
      await this.prisma.identity.update({
        where: { id: identityId },
        data: { locale, localeIsChosen: true },
      }),
    );
  }

  async get(identityId: string): Promise<IdentityRecord | null> {
    if (this.pool) {
      const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM identities WHERE id = $1`, [
        identityId,
      ]);
      return rows[0] ? toRecord(rows[0]) : null;
    }
    const row = await this.prisma.identity.findUnique({ where: { id: identityId } });
    return row ? toRecord(row) : null;
  }

  async identitiesOfUser(userId: string): Promise<IdentityRecord[]> {
    const rows = await this.prisma.identity.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
    return rows.map(toRecord);
  }

  /** Remembers where DMs to this identity go (Discord: the DM channel opened for them). */
  async setDmChat(platform: Platform, platformUserId: string, dmChatId: string): Promise<void> {
    if (this.pool) {
      await this.pool.query(
        `UPDATE identities SET dm_chat_id = $3, updated_at = now()
          WHERE platform = $1::"Platform" AND platform_user_id = $2 AND dm_chat_id IS DISTINCT FROM $3`,
        [platform, platformUserId, dmChatId],
      );
      return;
    }
    await this.prisma.identity.updateMany({
      // A NULL column is not "different" in SQL: match it explicitly.
      where: { platform, platformUserId, OR: [{ dmChatId: null }, { NOT: { dmChatId } }] },
      data: { dmChatId },
    });
  }

  /** The platform said the user blocked the bot (Telegram 403, Discord 50007). */
  async markUnreachable(identityId: string): Promise<void> {
    if (this.pool) {
      const { rowCount } = await this.pool.query(
        `UPDATE identities SET dm_reachable = false, dm_failed_at = $2, updated_at = now() WHERE id = $1`,
        [identityId, new Date()],
      );
      if (!rowCount) throw new Error(`identity ${identityId} not found`);
      return;
    }
    await this.prisma.identity.update({
      where: { id: identityId },
      data: { dmReachable: false, dmFailedAt: new Date() },
    });
  }
}
