// Checks device names against pending ownership challenges as snapshots arrive (the poll
// after a user put their code into the name), then moves the device's row to the prover
// and tells them; the previous holder, if any, keeps watching and is told why.
import type { PrismaClient } from '@prisma/client';
import { DeviceNameChallenges, codesIn } from '../../accounts/node-claims';
import type { UserMessenger } from '../../accounts/messenger';
import { claimOwnership } from '../../accounts/node-ownership';
import type { Logger } from '../../core/logger';
import { isNetworkName, type NodeSnapshot, type SnapshotSourceName } from './types';

export interface DeviceClaimDeps {
  prisma: PrismaClient;
  challenges: DeviceNameChallenges;
  messenger?: UserMessenger;
  /** Drops a voided heartbeat token from the lookup cache. */
  forgetToken?: (hash: string | null) => Promise<void>;
  /** A row unlinked by the claim: its liveness and open incidents go, as on /removenode. */
  onRowUnlinked?: (nodeId: string) => Promise<void>;
  logger?: Logger;
}

export class DeviceClaimChecker {
  constructor(private readonly deps: DeviceClaimDeps) {}

  /** Returns the devices whose ownership was proven in these snapshots. */
  async check(source: SnapshotSourceName, snapshots: NodeSnapshot[], now: number): Promise<string[]> {
    if (!isNetworkName(source)) return [];
    const proven: string[] = [];
    const seen = new Set<string>();
    for (const s of snapshots) {
      if (seen.has(s.externalId) || codesIn(s.deviceName).length === 0) continue;
      seen.add(s.externalId);
      const { challenges, prisma, messenger } = this.deps;
      if (!(await challenges.pending(s.externalId))) continue;
      const userId = await challenges.match(s.externalId, s.deviceName, now);
      if (!userId) continue;
      const out = await claimOwnership(prisma, userId, s.externalId, source, 'device_name', {
        deviceName: (s.deviceName ?? '').slice(0, 128),
      }).catch((err: Error) => {
        // Liveness must not stop for this; the user asks for a new code.
        this.deps.logger?.error({ err: err.message, device: s.externalId }, 'device claim failed');
        return null;
      });
      if (!out) continue;
      await this.deps.forgetToken?.(out.voidTokenHash);
      if (out.removedNodeId) await this.deps.onRowUnlinked?.(out.removedNodeId);
      proven.push(s.externalId);
      this.deps.logger?.info({ source, device: s.externalId }, 'device ownership proven by its name');
      const node = s.externalId;
      await messenger?.tell(userId, 'claimnode.proven', { node }, `claim:${node}:${userId}:${now}`);
      if (out.previousUserId)
        await messenger?.tell(out.previousUserId, 'claimnode.lost', { node }, `claimlost:${node}:${now}`);
    }
    return proven;
  }
}
