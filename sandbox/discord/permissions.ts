import { OverwriteType, PermissionFlagsBits, type APIOverwrite, type APIRole } from 'discord-api-types/v10';

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

export const P = PermissionFlagsBits;

export function bits(...flags: bigint[]): string {
  return flags.reduce((a, b) => a | b, 0n).toString();
}

export interface PermissionSubject {
  userId: string;
  roleIds: readonly string[];
  isOwner: boolean;
}

/** Discord's documented algorithm: @everyone, then roles, then channel overwrites. */
export function computePermissions(
  guildId: string,
  roles: ReadonlyMap<string, APIRole>,
  who: PermissionSubject,
  overwrites: readonly APIOverwrite[] = [],
): bigint {
  if (who.isOwner) return ALL_PERMISSIONS;
  let perms = BigInt(roles.get(guildId)?.permissions ?? '0');
  for (const id of who.roleIds) perms |= BigInt(roles.get(id)?.permissions ?? '0');
  if (perms & P.Administrator) return ALL_PERMISSIONS;

  const everyone = overwrites.find((o) => o.id === guildId);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === OverwriteType.Role && o.id !== guildId && who.roleIds.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const member = overwrites.find((o) => o.type === OverwriteType.Member && o.id === who.userId);
  if (member) perms = (perms & ~BigInt(member.deny)) | BigInt(member.allow);
  if (!(perms & P.ViewChannel)) return 0n;
  return perms;
}
