// What command handlers may use. Adapters build it once per process.
import type { IdentityService } from '../../accounts/identity';
import type { StatusService } from '../../notifier/status';
import type { AlertSettings } from '../../notifier/alert-settings';
import type { NodeService } from '../../accounts/nodes';
import type { DeviceNameChallenges } from '../../accounts/node-claims';
import type { WatchSource } from '../../accounts/node-networks';
import type { WalletLinkService } from '../../accounts/wallets';
import type { Logger } from '../../core/logger';
import type { RateLimit } from '../../core/rate-limit';
import type { LivenessStore } from '../../notifier/liveness/store';
import type { SendPacer } from '../../notifier/delivery/pacing';

export interface Services {
  identities: IdentityService;
  wallets: WalletLinkService;
  nodes: NodeService;
  /** Device-name ownership challenges (io.net); absent = /claimnode is unavailable. */
  challenges?: DeviceNameChallenges;
  status: StatusService;
  alertSettings: AlertSettings;
  /** Push (heartbeat) liveness: last-seen times live in Redis, not PostgreSQL. */
  liveness: LivenessStore;
  limits: { link: RateLimit; addnode: RateLimit };
  settings: {
    heartbeatUrl: string;
    heartbeatIntervalSeconds: number;
    /** Networks (and the poll API) whose API watches nodes here (NODE_SOURCE). */
    networks?: readonly WatchSource[];
    /** NODE_SOURCE includes simulator: `sim-` nodes are simulated, no agent to run. */
    simulator?: boolean;
    /** POLL_INTERVAL_SECONDS: how soon a network source reads a bumped device. */
    pollIntervalSeconds?: number;
  };
  logger: Logger;
  /** Telegram's send budget for this bot token (replies share it with alert delivery). */
  telegramPacer?: SendPacer;
  /** Hooks for the notifier: start / stop tracking a node's liveness. */
  onNodeLinked?: (externalId: string) => Promise<void>;
  onNodeUnlinked?: (nodeId: string) => Promise<void>;
}
