// Wallet keys made in the test, signing the way real wallets do.
import { ed25519 } from '@noble/curves/ed25519.js';
import bs58 from 'bs58';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { solanaOffchainEnvelope } from '../../accounts/signature';

export function solanaWallet() {
  const secret = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  return {
    address: bs58.encode(publicKey),
    /** Phantom/Solflare signMessage: ed25519 over the UTF-8 bytes, shown base58. */
    sign: (message: string) => bs58.encode(ed25519.sign(new TextEncoder().encode(message), secret)),
    /** `solana sign-offchain-message`. */
    signOffchain: (message: string) =>
      bs58.encode(ed25519.sign(solanaOffchainEnvelope(new TextEncoder().encode(message)), secret)),
  };
}

export function evmWallet() {
  const account = privateKeyToAccount(generatePrivateKey());
  return {
    address: account.address,
    /** MetaMask personal_sign. */
    sign: (message: string) => account.signMessage({ message }),
  };
}
