// /status, /mute, /maintenance.
import { t } from '../../../core/i18n';
import { formatTime } from '../../../core/i18n/format';
import { renderUptimeChart } from '../../../notifier/uptime-chart';
import { viewLines } from '../../../notifier/status-text';
import type { CommandContext } from '../context';
import { say } from '../say';
import { list, reply, text, title, type Reply } from '../../../core/reply';

const pct = (ctx: CommandContext, v: number | null) =>
  v === null ? t(ctx.locale, 'status.uptimeUnknown') : `${(v * 100).toFixed(1)}%`;

export async function status(ctx: CommandContext): Promise<Reply> {
  const s = await ctx.services.status.forUser(ctx.identity.userId);
  if (s.nodes.length === 0) return say(ctx, t(ctx.locale, 'status.none'));
  const items = s.nodes.map((n) =>
    t(ctx.locale, 'status.item', {
      node: n.label ? `${n.externalId} (${n.label})` : n.externalId,
      state: t(ctx.locale, `state.${n.state}`),
      since: formatTime(n.since),
      up24: pct(ctx, n.uptime24h),
      up7: pct(ctx, n.uptime7d),
    }),
  );
  const notes: string[] = [];
  for (const n of s.nodes) {
    notes.push(...viewLines(ctx.locale, n));
    if (n.flapping) notes.push(t(ctx.locale, 'status.flapping', { node: n.externalId }));
  }
  const incident = s.incident
    ? t(ctx.locale, 'status.incident', { since: formatTime(s.incident.since), down: s.incident.down })
    : t(ctx.locale, 'status.noIncident');
  const now = Date.now();
  const chart = renderUptimeChart(
    s.nodes.map((n) => ({ label: n.label ?? n.externalId, share: n.uptime7d, segments: n.segments })),
    now - 7 * 86_400_000,
    now,
  );
  return reply([title(t(ctx.locale, 'status.title')), list(items), ...notes.map(text), text(incident)], {
    private: true,
    attachment: { name: 'uptime.png', data: chart, contentType: 'image/png' },
  });
}

export async function mute(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const input = (args.duration ?? '').trim().toLowerCase();
  if (!input) return say(ctx, t(ctx.locale, 'mute.usage'));
  if (input === 'status') {
    const until = await ctx.services.alertSettings.mutedUntil(ctx.identity.userId);
    return say(
      ctx,
      until
        ? t(ctx.locale, 'mute.status.on', { until: formatTime(until) })
        : t(ctx.locale, 'mute.status.off'),
    );
  }
  const res = await ctx.services.alertSettings.mute(ctx.identity.userId, input);
  if (!res.ok) return say(ctx, t(ctx.locale, 'mute.invalid', { input: input.slice(0, 32) }));
  return say(
    ctx,
    res.until ? t(ctx.locale, 'mute.on', { until: formatTime(res.until) }) : t(ctx.locale, 'mute.off'),
  );
}

export async function maintenance(ctx: CommandContext, args: Record<string, string>): Promise<Reply> {
  const nodeId = (args.node_id ?? '').trim();
  const input = (args.duration ?? '').trim().toLowerCase();
  if (!nodeId || !input) return say(ctx, t(ctx.locale, 'maintenance.usage'));
  const res = await ctx.services.alertSettings.maintenance(ctx.identity.userId, nodeId, input);
  if (!res.ok) {
    return res.error === 'invalid'
      ? say(ctx, t(ctx.locale, 'mute.invalid', { input: input.slice(0, 32) }))
      : say(ctx, t(ctx.locale, 'removenode.not_yours', { node: nodeId.slice(0, 128) }));
  }
  return res.until
    ? say(ctx, t(ctx.locale, 'maintenance.on', { node: nodeId, until: formatTime(res.until) }))
    : say(ctx, t(ctx.locale, 'maintenance.off', { node: nodeId }));
}
