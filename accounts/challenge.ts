// The text a user signs to prove a wallet. EVM: EIP-4361 (Sign-In with Ethereum) built by
// viem. Solana: the Sign-In-With-Solana text, which follows the same layout. Both name
// the domain, address, statement, nonce, issue and expiry time (10 minutes).
import crypto from 'node:crypto';
import type { Chain } from '@prisma/client';
import { createSiweMessage } from 'viem/siwe';

export const CHALLENGE_TTL_MS = 10 * 60 * 1000;

export interface ChallengeParams {
  chain: Chain;
  /** Display form: EIP-55 for EVM, base58 for Solana. */
  address: string;
  domain: string;
  uri: string;
  statement: string;
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
}

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 alphanumeric characters (EIP-4361 asks for at least 8), ~92 bits. */
export function newNonce(): string {
  const bytes = crypto.randomBytes(16);
  return [...bytes].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function challengeMessage(p: ChallengeParams): string {
  if (p.chain === 'EVM') {
    return createSiweMessage({
      domain: p.domain,
      address: p.address as `0x${string}`,
      statement: p.statement,
      uri: p.uri,
      version: '1',
      chainId: 1,
      nonce: p.nonce,
      issuedAt: new Date(isoSeconds(p.issuedAt)),
      expirationTime: new Date(isoSeconds(p.expiresAt)),
    });
  }
  return [
    `${p.domain} wants you to sign in with your Solana account:`,
    p.address,
    '',
    p.statement,
    '',
    `URI: ${p.uri}`,
    'Version: 1',
    'Chain ID: mainnet',
    `Nonce: ${p.nonce}`,
    `Issued At: ${isoSeconds(p.issuedAt)}`,
    `Expiration Time: ${isoSeconds(p.expiresAt)}`,
  ].join('\n');
}
