// Which network a node id belongs to, from its form alone (docs/contracts.md "/addnode"):
// io.net devices are lower-case UUIDs, Nosana nodes base58 Solana public keys, Akash
// providers bech32 `akash1…` addresses. When an id fits several enabled networks the
// user is asked; an id that fits none is watched by its heartbeat (or the poll API).
import bs58 from 'bs58';

export const NODE_NETWORKS = ['ionet', 'nosana', 'akash'] as const;
export type NodeNetwork = (typeof NODE_NETWORKS)[number];

/** The reference poll API (NODE_SOURCE=poll) may know any id: it competes with the networks. */
export type WatchSource = NodeNetwork | 'poll';

/** What `/addnode <id> <network>` accepts as its second word. */
export const ADDNODE_NETWORKS = [...NODE_NETWORKS, 'poll', 'heartbeat'] as const;

export function isNodeNetwork(v: string): v is NodeNetwork {
  return (NODE_NETWORKS as readonly string[]).includes(v);
}

const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
const BECH32_CHARS = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!;
  }
  return chk >>> 0;
}

/** A bech32 address with the `akash` prefix and a valid checksum (BIP-173). */
export function isAkashAddress(id: string): boolean {
  if (!/^akash1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38,58}$/.test(id)) return false;
  const hrp = 'akash';
  const data = [...id.slice(hrp.length + 1)].map((c) => BECH32_CHARS.indexOf(c));
  const expanded = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
  ];
  return bech32Polymod([...expanded, ...data]) === 1;
}

/** Base58 that decodes to 32 bytes: an ed25519 (Solana) public key. */
export function isSolanaPublicKey(id: string): boolean {
  if (!BASE58.test(id)) return false;
  try {
    return bs58.decode(id).length === 32;
  } catch {
    return false;
  }
}

/** Every network whose id form this id has. */
export function networksForId(id: string): NodeNetwork[] {
  const out: NodeNetwork[] = [];
  if (LOWER_UUID.test(id)) out.push('ionet');
  if (isSolanaPublicKey(id)) out.push('nosana');
  if (isAkashAddress(id)) out.push('akash');
  return out;
}

export type NetworkDecision =
  | { kind: 'network'; network: NodeNetwork }
  /** Heartbeat (or poll) only: no enabled network has this id form. */
  | { kind: 'none' }
  | { kind: 'choose'; options: WatchSource[] }
  /** The user named a network the id cannot belong to. */
  | { kind: 'mismatch'; network: NodeNetwork }
  /** The user named a network this deployment does not watch. */
  | { kind: 'disabled'; network: NodeNetwork };

/**
 * Decides who watches a new node. `existing` is the network already recorded for it
 * (a node keeps its network); `requested` the user's answer to "which network?".
 */
export function decideNetwork(
  id: string,
  enabled: readonly WatchSource[],
  opts: { requested?: string; existing?: string | null; known?: boolean } = {},
): NetworkDecision {
  const fits = networksForId(id);
  const poll = enabled.includes('poll');
  const requested = opts.requested?.trim().toLowerCase();
  if (requested === 'heartbeat' || (requested === 'poll' && poll)) return { kind: 'none' };
  if (requested) {
    if (!isNodeNetwork(requested)) {
      const options: WatchSource[] = fits.filter((n) => enabled.includes(n));
      return options.length
        ? { kind: 'choose', options: poll ? [...options, 'poll'] : options }
        : { kind: 'none' };
    }
    if (!enabled.includes(requested)) return { kind: 'disabled', network: requested };
    if (!fits.includes(requested)) return { kind: 'mismatch', network: requested };
    return { kind: 'network', network: requested };
  }
  if (opts.existing && isNodeNetwork(opts.existing) && enabled.includes(opts.existing))
    return { kind: 'network', network: opts.existing };
  // A node the poll API already reported stays with it.
  if (poll && opts.known && !opts.existing) return { kind: 'none' };
  const candidates = fits.filter((n) => enabled.includes(n));
  if (candidates.length === 0) return { kind: 'none' };
  if (candidates.length === 1 && !poll) return { kind: 'network', network: candidates[0]! };
  return { kind: 'choose', options: poll ? [...candidates, 'poll'] : candidates };
}

/** `/addnode <id> [network]`, also as one string from a button (`<id> <network>`). */
export function splitNodeArgs(nodeId: string, network?: string): { id: string; network?: string } {
  const [id = '', second] = nodeId.trim().split(/\s+/, 2);
  const net = network?.trim() || second;
  return net ? { id, network: net } : { id };
}

// Several users may watch one public device, each alerted on their own: the first holds
// the device's own row (`external_id` = the device id), every further watcher a "watch row"
// `<device id>~<user id prefix>` that the network source polls as the same device (one
// request feeds every row). `~` fits no network id and no node id pattern, so a typed id
// never names a watch row.
export const WATCH_SEP = '~';

export function watchExternalId(deviceId: string, userId: string, long = false): string {
  return `${deviceId}${WATCH_SEP}${long ? userId : userId.replace(/-/g, '').slice(0, 8)}`;
}

/** The device a row stands for: its own id, or a watch row's device. */
export function deviceIdOf(externalId: string): string {
  const i = externalId.indexOf(WATCH_SEP);
  return i < 0 ? externalId : externalId.slice(0, i);
}

export function isWatchRow(externalId: string): boolean {
  return externalId.includes(WATCH_SEP);
}
