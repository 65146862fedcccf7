// Well-formed ids of the three networks for emulated fleets: io.net lower-case UUIDs,
// Nosana base58 ed25519 keys, Akash bech32 `akash1…` addresses with a valid checksum.
import crypto from 'node:crypto';
import bs58 from 'bs58';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}

function toWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >>> bits) & 31);
    }
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

/** BIP-173 bech32 of `bytes` with this human-readable part. */
export function bech32(hrp: string, bytes: Uint8Array): string {
  const data = toWords(bytes);
  const expanded = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
  ];
  const mod = polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((w) => CHARSET[w]).join('')}`;
}

const digest = (seed: string) => crypto.createHash('sha256').update(seed).digest();

export function ionetDeviceId(seed: string): string {
  const h = digest(`ionet:${seed}`).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function nosanaNodeKey(seed: string): string {
  // A leading zero byte would shorten the base58 form: keep the first byte non-zero.
  const d = digest(`nosana:${seed}`);
  d[0] = d[0]! | 1;
  return bs58.encode(d);
}

export function akashProvider(seed: string): string {
  return bech32('akash', digest(`akash:${seed}`).subarray(0, 20));
}
