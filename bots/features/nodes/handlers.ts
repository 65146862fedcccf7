// /addnode, /nodes, /removenode.
import { t } from '../../../core/i18n';
import { formatTime } from '../../../core/i18n/format';
import type { CommandContext } from '../context';
import { say } from '../say';
import { splitNodeArgs, type WatchSource } from '../../../accounts/node-networks';
import { isSimulatedId } from '../../../notifier/sources/simulator';
import { claimButtonFor } from './claim';
import { code, list, reply, text, title, type Reply } from '../../../core/reply';

/** Copy-paste agent: a shell loop and a systemd unit, with this node's id and token filled in. */
export function agentSnippets(url: string, nodeId: string, token: string, intervalSeconds: number) {
  const body = JSON.stringify({ node_id: nodeId, status: 'online' });
  const curl = `curl -fsS -m 10 -X POST '${url}' -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body}'`;
  const loop = `while true; do ${curl} >/dev/null || echo "heartbeat failed"; sleep ${intervalSeconds}; done`;
  const unit = [
    '[Unit]',
    'Description=nodedesk heartbeat',
    'After=network-online.target',
    '',
    '[Service]',
    `ExecStart=/bin/sh -c "while true; do ${curl.replace(/"/g, '\\"')} >/dev/null; sleep ${intervalSeconds}; done"`,
    'Restart=always',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');
  return { loop, unit };
}

export async function addnode(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const { id: nodeId, network: requested } = splitNodeArgs(args.node_id ?? '', args.network);
  if (!nodeId) return say(ctx, t(ctx.locale, 'addnode.usage'));
  if (!ctx.services.nodes.validId(nodeId)) return say(ctx, t(ctx.locale, 'addnode.invalid_id'));
  const limit = await ctx.services.limits.addnode.consume(ctx.identity.userId);
  if (!limit.ok) return say(ctx, t(ctx.locale, 'error.rateLimited', { seconds: limit.retryAfterSeconds }));
  const enabled = ctx.services.settings.networks ?? [];
  const decision = await ctx.services.nodes.decideNetwork(nodeId, enabled, requested);
  const net = (n: WatchSource) => t(ctx.locale, `network.${n}`);
  if (decision.kind === 'choose')
    return reply([text(t(ctx.locale, 'addnode.choose', { node: nodeId }))], {
      private: true,
      buttons: [
        decision.options.map((n) => ({ id: `nodes:w:${nodeId} ${n}`, label: net(n) })),
        [{ id: `nodes:w:${nodeId} heartbeat`, label: t(ctx.locale, 'addnode.choose.heartbeat') }],
      ],
    });
  if (decision.kind === 'mismatch')
    return say(
      ctx,
      t(ctx.locale, 'addnode.mismatch', {
        node: nodeId,
        network: net(decision.network),
        form: t(ctx.locale, `addnode.form.${decision.network}`),
      }),
    );
  if (decision.kind === 'disabled')
    return say(ctx, t(ctx.locale, 'addnode.disabled', { network: net(decision.network) }));
  const res = await ctx.services.nodes.add(
    ctx.identity,
    nodeId,
    decision.kind === 'network' ? { network: decision.network } : {},
  );
  if (!res.ok) {
    if (res.error === 'invalid_id') return say(ctx, t(ctx.locale, 'addnode.invalid_id'));
    if (res.error === 'limit') return say(ctx, t(ctx.locale, 'addnode.limit', { limit: res.limit }));
    return reply([text(t(ctx.locale, 'addnode.claimed_by_other', { node: res.nodeId }))], {
      private: true,
      // A dispute ticket prefilled with the node id (ids too long for a button get plain /support).
      buttons: [
        [
          Buffer.byteLength(`tickets:dispute:${res.nodeId}`) <= 64
            ? { id: `tickets:dispute:${res.nodeId}`, label: t(ctx.locale, 'tickets.disputeButton') }
            : { id: 'tickets:dispute:', label: t(ctx.locale, 'help.support') },
        ],
      ],
    });
  }
  await ctx.services.onNodeLinked?.(res.nodeId);
  const claimButton = claimButtonFor(ctx, res.nodeId, res.network);
  if (res.via === 'watch')
    return reply(
      [
        text(
          t(ctx.locale, res.again ? 'addnode.watch.shared.again' : 'addnode.watch.shared', {
            node: res.nodeId,
            network: net(res.network),
          }),
        ),
      ],
      { private: true, ...(claimButton ? { buttons: [[claimButton]] } : {}) },
    );
  // A simulated node's beats come from the simulator: no token or agent to show.
  if (ctx.services.settings.simulator && isSimulatedId(res.nodeId) && !res.network)
    return say(ctx, t(ctx.locale, 'addnode.simulated', { node: res.nodeId }));
  const watch = res.network
    ? [
        text(
          t(ctx.locale, res.via === 'token' && res.rotated ? 'addnode.watch.rewatch' : 'addnode.watch', {
            node: res.nodeId,
            network: net(res.network),
          }),
        ),
      ]
    : [];
  if (res.via === 'wallet')
    return reply(
      [...watch, text(t(ctx.locale, 'addnode.by_wallet', { node: res.nodeId, wallet: res.wallet }))],
      { private: true },
    );
  const { heartbeatUrl, heartbeatIntervalSeconds } = ctx.services.settings;
  const snippets = agentSnippets(heartbeatUrl, res.nodeId, res.token, heartbeatIntervalSeconds);
  const intro = res.network
    ? text(t(ctx.locale, 'addnode.watch.second', { network: net(res.network) }))
    : text(t(ctx.locale, res.rotated ? 'addnode.token_rotated' : 'addnode.token', { node: res.nodeId }));
  return reply(
    [
      ...watch,
      intro,
      code(res.token),
      text(t(ctx.locale, 'addnode.agent', { interval: heartbeatIntervalSeconds, url: heartbeatUrl })),
      code(snippets.loop, 'bash'),
      text(t(ctx.locale, 'addnode.systemd')),
      code(snippets.unit, 'ini'),
      ...(res.network
        ? [
            text(
              claimButton
                ? t(ctx.locale, 'addnode.watch.proof.ionet', { node: res.nodeId })
                : t(ctx.locale, 'addnode.watch.proof', { network: net(res.network) }),
            ),
          ]
        : []),
    ],
    { private: true, ...(claimButton ? { buttons: [[claimButton]] } : {}) },
  );
}

export async function nodes(ctx: CommandContext): Promise<Reply> {
  const rows = await ctx.services.nodes.list(ctx.identity.userId);
  if (rows.length === 0) return say(ctx, t(ctx.locale, 'nodes.none'));
  // Heartbeats update Redis, not PostgreSQL: the freshest last-seen is there.
  const fresh = await ctx.services.liveness.view(rows.map((n) => n.id));
  const lastSeenOf = (n: (typeof rows)[number]) => {
    const v = fresh.get(n.id);
    return v ? new Date(v.at) : n.lastSeenAt;
  };
  return reply(
    [
      title(t(ctx.locale, 'nodes.title', { count: rows.length })),
      list(
        rows.map((n) =>
          t(ctx.locale, 'nodes.item', {
            node: n.watching
              ? t(ctx.locale, 'nodes.watching', { node: n.externalId })
              : n.label
                ? `${n.externalId} (${n.label})`
                : n.externalId,
            state: t(ctx.locale, `state.${n.state as 'UNKNOWN' | 'ONLINE' | 'SUSPECT' | 'OFFLINE'}`),
            lastSeen: lastSeenOf(n) ? formatTime(lastSeenOf(n)) : t(ctx.locale, 'nodes.never'),
          }),
        ),
      ),
    ],
    { private: true },
  );
}

export async function removenode(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const nodeId = (args.node_id ?? '').trim();
  if (!nodeId) return say(ctx, t(ctx.locale, 'removenode.usage'));
  const res = await ctx.services.nodes.remove(ctx.identity, nodeId);
  if (res.ok) {
    await ctx.services.onNodeUnlinked?.(res.id);
    return say(ctx, t(ctx.locale, 'removenode.done', { node: res.nodeId }));
  }
  if (res.error === 'invalid_id') return say(ctx, t(ctx.locale, 'addnode.invalid_id'));
  return say(ctx, t(ctx.locale, 'removenode.not_yours', { node: nodeId.slice(0, 128) }));
}
