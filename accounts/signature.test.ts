import { verifyWalletSignature } from './signature';
import { evmWallet, solanaWallet } from '../test/support/keys';
import bs58 from 'bs58';

const message = 'nodedesk.local wants you to sign in with your Solana account:\nX\n\nNonce: abc';

describe('signature checks', () => {
  it('Solana: accepts a wallet signMessage signature and a solana sign-offchain-message one', async () => {
    const w = solanaWallet();
    expect(await verifyWalletSignature('SOLANA', message, w.sign(message), w.address)).toEqual({ ok: true });
    expect(await verifyWalletSignature('SOLANA', message, w.signOffchain(message), w.address)).toEqual({
      ok: true,
    });
  });

  it('Solana: refuses another key, another message, garbage and wrong length', async () => {
    const w = solanaWallet();
    const other = solanaWallet();
    expect(await verifyWalletSignature('SOLANA', message, other.sign(message), w.address)).toMatchObject({
      ok: false,
      error: 'mismatch',
    });
    expect(await verifyWalletSignature('SOLANA', message, w.sign(message + ' '), w.address)).toMatchObject({
      ok: false,
      error: 'mismatch',
    });
    expect(await verifyWalletSignature('SOLANA', message, 'hello world!', w.address)).toMatchObject({
      ok: false,
      error: 'encoding',
    });
    expect(
      await verifyWalletSignature('SOLANA', message, bs58.encode(new Uint8Array(63)), w.address),
    ).toEqual({
      ok: false,
      error: 'length',
      expectedBytes: 64,
      gotBytes: 63,
    });
  });

  it('Solana: refuses a malleable signature (S + L), which tweetnacl would accept', async () => {
    const w = solanaWallet();
    const sig = bs58.decode(w.sign(message));
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    const s2 = s + L;
    if (s2 < 2n ** 256n) {
      const mall = new Uint8Array(sig);
      let v = s2;
      for (let i = 0; i < 32; i++) {
        mall[32 + i] = Number(v & 0xffn);
        v >>= 8n;
      }
      expect(await verifyWalletSignature('SOLANA', message, bs58.encode(mall), w.address)).toMatchObject({
        ok: false,
        error: 'mismatch',
      });
    }
  });

  it('EVM: accepts personal_sign, names the signer when another key signed', async () => {
    const w = evmWallet();
    const other = evmWallet();
    expect(await verifyWalletSignature('EVM', message, await w.sign(message), w.address)).toEqual({
      ok: true,
    });
    expect(await verifyWalletSignature('EVM', message, await other.sign(message), w.address)).toEqual({
      ok: false,
      error: 'mismatch',
      recoveredAddress: other.address,
    });
    expect(await verifyWalletSignature('EVM', message, 'zz', w.address)).toMatchObject({
      ok: false,
      error: 'encoding',
    });
    expect(await verifyWalletSignature('EVM', message, '0x' + 'ab'.repeat(20), w.address)).toMatchObject({
      ok: false,
      error: 'length',
      gotBytes: 20,
    });
  });
});
