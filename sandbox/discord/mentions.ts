import { AllowedMentionsTypes, type APIAllowedMentions } from 'discord-api-types/v10';

/** Who a message actually notifies, after Discord applies allowed_mentions and permissions. */
export interface Pinged {
  everyone: boolean;
  roles: string[];
  users: string[];
}

export interface MentionsInContent {
  everyone: boolean;
  users: string[];
  roles: string[];
}

export function mentionsInContent(content: string): MentionsInContent {
  const users = new Set<string>();
  const roles = new Set<string>();
  for (const m of content.matchAll(/<@(!?|&)(\d{15,21})>/g)) (m[1] === '&' ? roles : users).add(m[2]!);
  return { everyone: /@(everyone|here)\b/.test(content), users: [...users], roles: [...roles] };
}

export interface PingContext {
  content: string;
  /** `undefined` means the sender did not send the field, which lets everything parse. */
  allowedMentions: APIAllowedMentions | undefined;
  /** Author of the message being replied to, if any. */
  repliedUserId?: string;
  /** The sender holds MENTION_EVERYONE in the channel (also lets it ping unmentionable roles). */
  canMentionEveryone: boolean;
  mentionableRoles: ReadonlySet<string>;
  inGuild: boolean;
}

export function computePings(ctx: PingContext): Pinged {
  const found = mentionsInContent(ctx.content);
  const am = ctx.allowedMentions;
  // Without allowed_mentions Discord parses every kind and pings the replied-to author.
  const parse = new Set<string>(am ? (am.parse ?? []) : Object.values(AllowedMentionsTypes));
  const pickUsers = parse.has(AllowedMentionsTypes.User)
    ? found.users
    : found.users.filter((u) => am?.users?.includes(u));
  const users = new Set(pickUsers);
  if (ctx.repliedUserId && (am ? am.replied_user === true : true)) users.add(ctx.repliedUserId);

  const roleAllowed = (r: string) => ctx.canMentionEveryone || ctx.mentionableRoles.has(r);
  const roles = !ctx.inGuild
    ? []
    : parse.has(AllowedMentionsTypes.Role)
      ? found.roles.filter(roleAllowed)
      : found.roles.filter((r) => am?.roles?.includes(r)).filter(roleAllowed);

  return {
    everyone:
      ctx.inGuild && found.everyone && ctx.canMentionEveryone && parse.has(AllowedMentionsTypes.Everyone),
    roles,
    users: [...users],
  };
}
