// /status lines for the two views of a node (the network's and the heartbeat's) and their
// disagreement ("io.net says up; no heartbeat for 7 min"), localized, platform-neutral.
import { t, type Locale, type MessageKey } from '../core/i18n';
import { formatTime } from '../core/i18n/format';
import type { NodeStatus } from './status';

const networkName = (locale: Locale, source: string) =>
  t(locale, `network.${source as 'ionet' | 'nosana' | 'akash' | 'poll'}` as MessageKey);

export function viewLines(locale: Locale, n: NodeStatus, now = Date.now()): string[] {
  const out: string[] = [];
  const net = n.network;
  if (net) {
    const parts: string[] = [];
    if (net.gpuModel)
      parts.push(t(locale, 'status.view.gpus', { count: net.gpuCount ?? 1, model: net.gpuModel }));
    if (net.location) parts.push(net.location);
    const up = net.networkUptime;
    if (up?.share !== undefined || up?.text)
      parts.push(
        t(locale, 'status.view.uptime', {
          uptime: [up.share !== undefined ? `${(up.share * 100).toFixed(1)}%` : null, up.text]
            .filter(Boolean)
            .join(', '),
        }),
      );
    if (net.earnings)
      parts.push(t(locale, 'status.view.earnings', { amount: net.earnings.amount, unit: net.earnings.unit }));
    if (net.verdicts?.blocked) parts.push(t(locale, 'status.view.blocked'));
    if (net.verdicts?.powFailed) parts.push(t(locale, 'status.view.powFailed'));
    if (typeof net.verdicts?.antiSpoofRate === 'number')
      parts.push(
        t(locale, 'status.view.antispoof', { rate: `${(net.verdicts.antiSpoofRate * 100).toFixed(0)}%` }),
      );
    const details =
      (net.liveness === 'maintenance' ? t(locale, 'status.view.maintenance') : '') +
      (parts.length ? ` (${parts.join('; ')})` : '');
    out.push(
      `${n.externalId}: ${t(locale, 'status.view.network', {
        network: networkName(locale, net.source),
        state: net.rawState,
        details,
      })}`,
    );
  }
  if (n.heartbeat && net) {
    out.push(
      `${n.externalId}: ${t(locale, 'status.view.heartbeat', {
        state: t(locale, n.heartbeat.online ? 'state.ONLINE' : 'state.OFFLINE'),
        lastSeen: formatTime(n.heartbeat.lastSeen),
      })}`,
    );
  }
  const d = n.disagreement;
  if (d) {
    const minutes = Math.max(1, Math.round((now - (d.pushSeen?.getTime() ?? now)) / 60_000));
    out.push(
      t(locale, d.kind === 'network_up' ? 'status.disagree.up' : 'status.disagree.down', {
        node: n.externalId,
        network: networkName(locale, d.network),
        state: d.networkState,
        minutes,
      }),
    );
  }
  return out;
}
