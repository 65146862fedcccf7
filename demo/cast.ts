// Who is who in the demo. The visitor plays the miner on both platforms; staff and the
// demo fleet's owners are played by the demo itself. Ids are fixed so pages and tests agree.
import { ed25519 } from '@noble/curves/ed25519.js';
import bs58 from 'bs58';

export const DEMO_CAST = {
  telegramMiner: { id: 1001, name: 'You (miner)' },
  discordMiner: { id: '400000000000000001', name: 'you_the_miner' },
  telegramStaff: { id: 9001, name: 'Sam (staff)' },
  discordStaff: { id: '400000000000009001', name: 'sam_staff' },
  telegramStaffChatId: -1001000000001,
  /** The simulated fleet's owners: their alerts go out for real, to emulated chats. */
  fleetOwners: [
    { name: 'Ana', platform: 'TELEGRAM', platformUserId: '7001', locale: 'en' },
    { name: 'Bo', platform: 'TELEGRAM', platformUserId: '7002', locale: 'zh' },
    { name: 'chen_gpu', platform: 'DISCORD', platformUserId: '400000000000007003', locale: 'en' },
    { name: 'dana_rigs', platform: 'DISCORD', platformUserId: '400000000000007004', locale: 'en' },
  ] as Array<{ name: string; platform: 'TELEGRAM' | 'DISCORD'; platformUserId: string; locale: 'en' | 'zh' }>,
} as const;

export type DemoCast = typeof DEMO_CAST;

export interface DemoWallet {
  address: string;
  /** Phantom/Solflare `signMessage`: ed25519 over the UTF-8 bytes, shown in base58. */
  sign(message: string): string;
}

/**
 * A Solana wallet made for this demo run only. The console signs the bot's challenge with
 * it on the server, in place of the visitor's wallet app, and the page says so.
 */
export function demoWallet(): DemoWallet {
  const secret = ed25519.utils.randomSecretKey();
  return {
    address: bs58.encode(ed25519.getPublicKey(secret)),
    sign: (message) => bs58.encode(ed25519.sign(new TextEncoder().encode(message), secret)),
  };
}
