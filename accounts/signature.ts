// Signature checks. Solana: ed25519 with @noble/curves in strict mode (zip215: false,
// RFC 8032 + non-malleable), chosen over tweetnacl, which accepts malleable signatures
// (tweetnacl-js#253). EVM: personal_sign recovered with viem.
import { ed25519 } from '@noble/curves/ed25519.js';
import bs58 from 'bs58';
import type { Chain } from '@prisma/client';
import { recoverMessageAddress } from 'viem';

export type SignatureCheck =
  | { ok: true }
  | { ok: false; error: 'encoding'; expected: 'base58' | 'hex' }
  | { ok: false; error: 'length'; expectedBytes: number; gotBytes: number }
  | { ok: false; error: 'mismatch'; recoveredAddress?: string };

const SOLANA_SIG_BYTES = 64;

/**
 * `solana sign-offchain-message` signs an envelope, not the bare text: signing domain
 * "\xffsolana offchain", version 0, format (0 = ASCII, 1 = UTF-8), u16 LE length.
 */
export function solanaOffchainEnvelope(message: Uint8Array): Uint8Array {
  const domain = new Uint8Array([0xff, ...new TextEncoder().encode('solana offchain')]);
  const ascii = message.every((b) => (b >= 0x20 && b <= 0x7e) || b === 0x0a);
  const header = new Uint8Array(domain.length + 4);
  header.set(domain, 0);
  header[domain.length] = 0; // version
  header[domain.length + 1] = ascii ? 0 : 1;
  header[domain.length + 2] = message.length & 0xff;
  header[domain.length + 3] = (message.length >> 8) & 0xff;
  const out = new Uint8Array(header.length + message.length);
  out.set(header, 0);
  out.set(message, header.length);
  return out;
}

function verifySolana(message: string, signature: string, address: string): SignatureCheck {
  const sigText = signature.trim();
  let sig: Uint8Array;
  try {
    if (!/^[1-9A-HJ-NP-Za-km-z]+$/.test(sigText)) throw new Error('not base58');
    sig = bs58.decode(sigText);
  } catch {
    return { ok: false, error: 'encoding', expected: 'base58' };
  }
  if (sig.length !== SOLANA_SIG_BYTES)
    return { ok: false, error: 'length', expectedBytes: SOLANA_SIG_BYTES, gotBytes: sig.length };
  const publicKey = bs58.decode(address);
  const bytes = new TextEncoder().encode(message);
  const strict = { zip215: false };
  try {
    if (ed25519.verify(sig, bytes, publicKey, strict)) return { ok: true };
    if (bytes.length <= 0xffff && ed25519.verify(sig, solanaOffchainEnvelope(bytes), publicKey, strict))
      return { ok: true };
  } catch {
    // A malformed point or scalar is simply not a valid signature.
  }
  return { ok: false, error: 'mismatch' };
}

async function verifyEvm(message: string, signature: string, address: string): Promise<SignatureCheck> {
  const sigText = signature.trim();
  if (!/^0x[0-9a-fA-F]*$/.test(sigText) || sigText.length % 2 !== 0)
    return { ok: false, error: 'encoding', expected: 'hex' };
  const bytes = (sigText.length - 2) / 2;
  // 65 bytes (r, s, v) as personal_sign returns; 64 bytes is the EIP-2098 compact form.
  if (bytes !== 65 && bytes !== 64) return { ok: false, error: 'length', expectedBytes: 65, gotBytes: bytes };
  try {
    const recovered = await recoverMessageAddress({ message, signature: sigText as `0x${string}` });
    if (recovered.toLowerCase() === address.toLowerCase()) return { ok: true };
    return { ok: false, error: 'mismatch', recoveredAddress: recovered };
  } catch {
    return { ok: false, error: 'mismatch' };
  }
}

export async function verifyWalletSignature(
  chain: Chain,
  message: string,
  signature: string,
  address: string,
): Promise<SignatureCheck> {
  return chain === 'SOLANA'
    ? verifySolana(message, signature, address)
    : verifyEvm(message, signature, address);
}
