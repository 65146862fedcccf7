// Wallet address parsing. Solana: base58 of a 32-byte ed25519 public key. EVM: 0x + 40
// hex; mixed case must carry a valid EIP-55 checksum (a typo is caught, not linked).
import bs58 from 'bs58';
import { getAddress, isAddress } from 'viem';
import type { Chain } from '@prisma/client';

export type AddressError = 'empty' | 'evm_checksum' | 'evm_format' | 'solana_length' | 'unknown_format';

export type ParsedAddress =
  | {
      ok: true;
      chain: Chain;
      /** canonical form for storage */ address: string;
      /** form to show and sign */ display: string;
    }
  | { ok: false; error: AddressError };

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

export function parseWalletAddress(input: string): ParsedAddress {
  const raw = input.trim();
  if (!raw) return { ok: false, error: 'empty' };
  if (/^0x/i.test(raw)) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) return { ok: false, error: 'evm_format' };
    const body = raw.slice(2);
    const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
    if (mixed && !isAddress(raw, { strict: true })) return { ok: false, error: 'evm_checksum' };
    const checksummed = getAddress(raw.toLowerCase());
    return { ok: true, chain: 'EVM', address: checksummed.toLowerCase(), display: checksummed };
  }
  if (BASE58.test(raw)) {
    let bytes: Uint8Array;
    try {
      bytes = bs58.decode(raw);
    } catch {
      return { ok: false, error: 'unknown_format' };
    }
    if (bytes.length !== 32) return { ok: false, error: 'solana_length' };
    // Re-encoding gives the canonical spelling (no leading-zero variants).
    const canonical = bs58.encode(bytes);
    return { ok: true, chain: 'SOLANA', address: canonical, display: canonical };
  }
  return { ok: false, error: 'unknown_format' };
}

/** The address as users see and sign it (EIP-55 checksummed for EVM). */
export function displayAddress(chain: Chain, stored: string): string {
  return chain === 'EVM' ? getAddress(stored) : stored;
}
