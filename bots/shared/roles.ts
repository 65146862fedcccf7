// Who is staff: Discord member roles (DISCORD_STAFF_ROLE_IDS / DISCORD_MOD_ROLE_IDS),
// Telegram membership of TELEGRAM_STAFF_CHAT_ID through getChatMember (administrators
// are moderators). Answers are cached briefly so a busy staff chat costs one lookup a minute.
import type { ChatPlatform } from '../../core/conversation';
import type { StaffRole } from '../../core/feature';
import type { Logger } from '../../core/logger';

export type Roles = ReadonlySet<StaffRole>;
const NONE: Roles = new Set();

export interface RoleSource {
  /** `memberRoleIds`: Discord role ids that came with the interaction (fresh, no lookup). */
  rolesOf(platformUserId: string, memberRoleIds?: readonly string[]): Promise<Roles>;
}

export class RoleResolver {
  private readonly cache = new Map<string, { roles: Roles; until: number }>();
  /** Lookups under way, shared by concurrent updates of one user (one getChatMember, not ten). */
  private readonly inFlight = new Map<string, Promise<Roles>>();

  constructor(
    private readonly sources: Partial<Record<ChatPlatform, RoleSource>>,
    private readonly logger: Logger,
    private readonly ttlMs = 60_000,
  ) {}

  async rolesOf(
    platform: ChatPlatform,
    platformUserId: string,
    memberRoleIds?: readonly string[],
  ): Promise<Roles> {
    const source = this.sources[platform];
    if (!source) return NONE;
    if (memberRoleIds) return source.rolesOf(platformUserId, memberRoleIds);
    const key = `${platform}:${platformUserId}`;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) {
      // Refreshed ahead in the last quarter of its life, in the background: an active user
      // never waits for the lookup, and no answer is ever older than the TTL.
      if (hit.until - now < this.ttlMs / 4) void this.lookup(source, platform, platformUserId, key);
      return hit.roles;
    }
    return this.lookup(source, platform, platformUserId, key);
  }

  private lookup(source: RoleSource, platform: ChatPlatform, platformUserId: string, key: string) {
    const running = this.inFlight.get(key);
    if (running) return running;
    const asked = Promise.resolve()
      .then(() => source.rolesOf(platformUserId))
      .then(
        (roles) => {
          if (this.cache.size > 10_000) this.cache.clear();
          this.cache.set(key, { roles, until: Date.now() + this.ttlMs });
          return roles;
        },
        (err: unknown) => {
          // Fail closed: an unanswered lookup grants nothing (and is not cached).
          this.logger.warn({ platform, err: { message: (err as Error).message } }, 'role lookup failed');
          return NONE;
        },
      );
    this.inFlight.set(key, asked);
    void asked.finally(() => this.inFlight.delete(key));
    return asked;
  }
}

function rolesFrom(staff: boolean, moderator: boolean): Roles {
  const out = new Set<StaffRole>();
  if (staff || moderator) out.add('staff');
  if (moderator) out.add('moderator');
  return out;
}

/** `fetchMemberRoles` looks the member up in the guild (null when not a member). */
export function discordRoleSource(opts: {
  staffRoleIds: readonly string[];
  modRoleIds: readonly string[];
  fetchMemberRoles: (userId: string) => Promise<readonly string[] | null>;
}): RoleSource {
  const staff = new Set(opts.staffRoleIds);
  const mods = new Set(opts.modRoleIds.length ? opts.modRoleIds : opts.staffRoleIds);
  const judge = (ids: readonly string[]) =>
    rolesFrom(
      ids.some((id) => staff.has(id)),
      ids.some((id) => mods.has(id)),
    );
  return {
    async rolesOf(userId, memberRoleIds) {
      if (staff.size === 0 && mods.size === 0) return NONE;
      if (memberRoleIds) return judge(memberRoleIds);
      const ids = await opts.fetchMemberRoles(userId);
      return ids ? judge(ids) : NONE;
    },
  };
}

export type ChatMemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

/** `getStatus` is getChatMember on the staff chat. */
export function telegramRoleSource(
  getStatus: (userId: string) => Promise<{ status: ChatMemberStatus; is_member?: boolean }>,
): RoleSource {
  return {
    async rolesOf(userId) {
      const m = await getStatus(userId);
      const admin = m.status === 'creator' || m.status === 'administrator';
      const member = admin || m.status === 'member' || (m.status === 'restricted' && m.is_member === true);
      return rolesFrom(member, admin);
    },
  };
}
