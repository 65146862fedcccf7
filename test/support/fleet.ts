// Owners with nodes, written straight into the database: storms need thousands of them,
// and the linking flow has its own tests.
import crypto from 'node:crypto';
import type { PrismaClient, Platform } from '@prisma/client';

export interface SeededOwner {
  userId: string;
  platform: Platform;
  platformUserId: string;
  nodeIds: string[];
  externalIds: string[];
}

export async function seedOwners(
  prisma: PrismaClient,
  opts: {
    owners: number;
    nodesPerOwner: number;
    platform: (i: number) => Platform;
    firstUserId?: number;
    tag?: string;
  },
): Promise<SeededOwner[]> {
  const tag = opts.tag ?? crypto.randomBytes(3).toString('hex');
  const owners: SeededOwner[] = [];
  const users = [];
  const identities = [];
  const nodes = [];
  for (let i = 0; i < opts.owners; i++) {
    const userId = crypto.randomUUID();
    const platform = opts.platform(i);
    const platformUserId = String((opts.firstUserId ?? 900_000_000) + i);
    const owner: SeededOwner = { userId, platform, platformUserId, nodeIds: [], externalIds: [] };
    users.push({ id: userId });
    identities.push({
      userId,
      platform,
      platformUserId,
      locale: 'en',
      ...(platform === 'TELEGRAM' ? { dmChatId: platformUserId } : {}),
    });
    for (let n = 0; n < opts.nodesPerOwner; n++) {
      const id = crypto.randomUUID();
      const externalId = `n-${tag}-${i}-${n}`;
      nodes.push({ id, externalId, userId });
      owner.nodeIds.push(id);
      owner.externalIds.push(externalId);
    }
    owners.push(owner);
  }
  await prisma.user.createMany({ data: users });
  await prisma.identity.createMany({ data: identities });
  for (let i = 0; i < nodes.length; i += 5_000)
    await prisma.node.createMany({ data: nodes.slice(i, i + 5_000) });
  return owners;
}
