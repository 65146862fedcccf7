// /claimnode <io.net device id>: ownership proof by device name. The user gets a code to
// put into the device's name; the io.net source reads the name at its next poll (the
// device is moved to the front of the queue) and hands the device's row to the prover.
import { t } from '../../../core/i18n';
import { networksForId, type NodeNetwork } from '../../../accounts/node-networks';
import { code, reply, text, type Reply } from '../../../core/reply';
import type { CommandContext } from '../context';
import { say } from '../say';

/** "Prove I own it", where a proof by device name exists (io.net, with challenges on). */
export function claimButtonFor(ctx: CommandContext, nodeId: string, network: NodeNetwork | null) {
  if (network !== 'ionet' || !ctx.services.challenges) return null;
  return { id: `nodes:c:${nodeId}`, label: t(ctx.locale, 'claimnode.button') };
}

export async function claimnode(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const nodeId = (args.node_id ?? '').trim();
  if (!nodeId) return say(ctx, t(ctx.locale, 'claimnode.usage'));
  const challenges = ctx.services.challenges;
  const enabled = ctx.services.settings.networks ?? [];
  if (!networksForId(nodeId).includes('ionet'))
    return say(ctx, t(ctx.locale, nodeId.length > 128 ? 'addnode.invalid_id' : 'claimnode.only_ionet'));
  if (!challenges || !enabled.includes('ionet'))
    return say(ctx, t(ctx.locale, 'addnode.disabled', { network: t(ctx.locale, 'network.ionet') }));
  const limit = await ctx.services.limits.addnode.consume(ctx.identity.userId);
  if (!limit.ok) return say(ctx, t(ctx.locale, 'error.rateLimited', { seconds: limit.retryAfterSeconds }));
  const owned = await ctx.services.nodes.ownedBy(nodeId);
  if (owned?.userId === ctx.identity.userId && owned.ownedVia)
    return say(ctx, t(ctx.locale, 'claimnode.already', { node: nodeId }));
  // Claiming implies watching: the device is polled, so its name is read.
  const watched = await ctx.services.nodes.add(ctx.identity, nodeId, { network: 'ionet' });
  if (!watched.ok && watched.error === 'limit')
    return say(ctx, t(ctx.locale, 'addnode.limit', { limit: watched.limit }));
  if (watched.ok) await ctx.services.onNodeLinked?.(watched.nodeId);
  const issued = await challenges.issue(ctx.identity.userId, nodeId);
  if (!issued.ok) return say(ctx, t(ctx.locale, 'claimnode.busy', { node: nodeId }));
  const minutes = Math.max(1, Math.ceil((ctx.services.settings.pollIntervalSeconds ?? 60) / 60));
  return reply(
    [text(t(ctx.locale, 'claimnode.code', { node: nodeId, code: issued.code, minutes })), code(issued.code)],
    { private: true },
  );
}
