// Wallet proof and linking. A challenge is issued per identity; a signature that fully
// verifies consumes its nonce and links the wallet to the identity's user: proving from
// a new platform joins the two accounts into one user; proving from an account of a
// platform the owner already uses takes the wallet over, and the former owner is told.
import { mergeUsersIn, type MergeParticipant } from './merge';
import type { Chain, PrismaClient } from '@prisma/client';
import type { IdentityRecord } from './identity';
import { audit } from './audit';
import { CHALLENGE_TTL_MS, challengeMessage, newNonce } from './challenge';
import type { UserMessenger } from './messenger';
import { verifyWalletSignature, type SignatureCheck } from './signature';
import { displayAddress, parseWalletAddress, type AddressError } from './wallet-address';

export interface WalletLinkOptions {
  domain: string;
  uri: string;
  now?: () => Date;
  /** Called after two users became one, so other modules can move what they keep per user. */
  /** Features that key data by user (incidents, tickets, cases): merged in the same transaction. */
  mergeParticipants?: readonly MergeParticipant[];
}

export type StartLinkResult =
  | { ok: true; chain: Chain; address: string; message: string; expiresAt: Date }
  | { ok: false; error: AddressError };

export type VerifyResult =
  | {
      ok: true;
      chain: Chain;
      address: string;
      outcome: 'linked' | 'already_linked' | 'merged' | 'taken_over';
    }
  | { ok: false; error: 'no_challenge' | 'expired' | 'used' }
  | ({ ok: false; address: string; chain: Chain } & Exclude<SignatureCheck, { ok: true }>);

export interface WalletView {
  chain: Chain;
  address: string;
  verifiedAt: Date;
}

export class WalletLinkService {
  private readonly now: () => Date;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: WalletLinkOptions,
    private readonly messenger?: UserMessenger,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  async start(identity: IdentityRecord, input: string): Promise<StartLinkResult> {
    const parsed = parseWalletAddress(input);
    if (!parsed.ok) return parsed;
    const issuedAt = this.now();
    const expiresAt = new Date(issuedAt.getTime() + CHALLENGE_TTL_MS);
    const nonce = newNonce();
    const platform = identity.platform === 'TELEGRAM' ? 'Telegram' : 'Discord';
    const message = challengeMessage({
      chain: parsed.chain,
      address: parsed.display,
      domain: this.opts.domain,
      uri: this.opts.uri,
      statement: `Link this wallet to nodedesk for ${platform} account ${identity.platformUserId}.`,
      nonce,
      issuedAt,
      expiresAt,
    });
    // Only the newest challenge of an identity can be proven: older ones go, so the table
    // holds at most one row per identity between the global prunes (pruneChallenges).
    await this.prisma.walletChallenge.deleteMany({ where: { identityId: identity.id } });
    await this.prisma.walletChallenge.create({
      data: {
        identityId: identity.id,
        chain: parsed.chain,
        address: parsed.address,
        nonce,
        message,
        issuedAt,
        expiresAt,
      },
    });
    return { ok: true, chain: parsed.chain, address: parsed.display, message, expiresAt };
  }

  async verify(identity: IdentityRecord, signature: string): Promise<VerifyResult> {
    const challenge = await this.prisma.walletChallenge.findFirst({
      where: { identityId: identity.id },
      orderBy: { issuedAt: 'desc' },
    });
    if (!challenge) return { ok: false, error: 'no_challenge' };
    if (challenge.usedAt) return { ok: false, error: 'used' };
    if (challenge.expiresAt.getTime() <= this.now().getTime()) return { ok: false, error: 'expired' };
    const display = displayAddress(challenge.chain, challenge.address);
    const check = await verifyWalletSignature(challenge.chain, challenge.message, signature, display);
    if (!check.ok) return { ...check, address: display, chain: challenge.chain };

    // Two identities proving the same new wallet at once: the second insert hits the unique
    // key; run once more, and it is answered as if it came second (merge or takeover).
    const outcome = await retryOnceOnConflict(() =>
      this.prisma.$transaction(async (tx) => {
        // Consumed only now, and only once: a concurrent verify of the same nonce loses here.
        const consumed = await tx.walletChallenge.updateMany({
          where: { id: challenge.id, usedAt: null },
          data: { usedAt: this.now() },
        });
        if (consumed.count !== 1) return 'used' as const;
        const me = await tx.identity.findUniqueOrThrow({ where: { id: identity.id } });
        const key = { chain_address: { chain: challenge.chain, address: challenge.address } };
        const wallet = await tx.wallet.findUnique({ where: key });
        const actor = { actorUserId: me.userId, actorIdentityId: me.id };
        if (!wallet) {
          await tx.wallet.create({
            data: {
              userId: me.userId,
              chain: challenge.chain,
              address: challenge.address,
              verifiedAt: this.now(),
            },
          });
          await audit(tx, {
            action: 'wallet.link',
            subjectType: 'wallet',
            subjectId: challenge.address,
            ...actor,
          });
          return { kind: 'linked' as const };
        }
        if (wallet.userId === me.userId) {
          await tx.wallet.update({ where: key, data: { verifiedAt: this.now() } });
          await audit(tx, {
            action: 'wallet.relink',
            subjectType: 'wallet',
            subjectId: challenge.address,
            ...actor,
          });
          return { kind: 'already_linked' as const };
        }
        const [mine, theirs] = await Promise.all([
          tx.identity.findMany({ where: { userId: me.userId }, select: { platform: true } }),
          tx.identity.findMany({ where: { userId: wallet.userId }, select: { platform: true } }),
        ]);
        const overlap = mine.some((a) => theirs.some((b) => b.platform === a.platform));
        if (!overlap) {
          // Same person on another platform: fold this user into the wallet's owner.
          const from = me.userId;
          const into = wallet.userId;
          await mergeUsersIn(tx, from, into, this.opts.mergeParticipants ?? []);
          await tx.wallet.update({ where: key, data: { verifiedAt: this.now() } });
          await audit(tx, {
            action: 'user.merge',
            subjectType: 'user',
            subjectId: into,
            actorUserId: into,
            actorIdentityId: me.id,
            details: { mergedUserId: from, viaWallet: challenge.address },
          });
          return { kind: 'merged' as const, from, into };
        }
        const formerOwner = wallet.userId;
        await tx.wallet.update({ where: key, data: { userId: me.userId, verifiedAt: this.now() } });
        await audit(tx, {
          action: 'wallet.takeover',
          subjectType: 'wallet',
          subjectId: challenge.address,
          ...actor,
          details: { fromUserId: formerOwner },
        });
        return { kind: 'taken_over' as const, formerOwner };
      }),
    );
    if (outcome === 'used') return { ok: false, error: 'used' };
    if (outcome.kind === 'taken_over' && this.messenger) {
      await this.messenger.tell(
        outcome.formerOwner,
        'wallet.takenOver',
        { address: display },
        `wallet-takeover:${challenge.nonce}`,
      );
    }
    return { ok: true, chain: challenge.chain, address: display, outcome: outcome.kind };
  }

  async list(userId: string): Promise<WalletView[]> {
    const rows = await this.prisma.wallet.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
    return rows.map((w) => ({
      chain: w.chain,
      address: displayAddress(w.chain, w.address),
      verifiedAt: w.verifiedAt,
    }));
  }

  /** Unlinks a wallet of this user. Node history stays: nodes belong to the user, not the wallet. */
  async unlink(
    identity: IdentityRecord,
    input: string,
  ): Promise<{ ok: true; address: string } | { ok: false; error: 'not_yours' | AddressError }> {
    const parsed = parseWalletAddress(input);
    if (!parsed.ok) return parsed;
    const removed = await this.prisma.$transaction(async (tx) => {
      const res = await tx.wallet.deleteMany({
        where: { chain: parsed.chain, address: parsed.address, userId: identity.userId },
      });
      if (res.count === 1) {
        await audit(tx, {
          action: 'wallet.unlink',
          subjectType: 'wallet',
          subjectId: parsed.address,
          actorUserId: identity.userId,
          actorIdentityId: identity.id,
        });
      }
      return res.count === 1;
    });
    return removed ? { ok: true, address: parsed.display } : { ok: false, error: 'not_yours' };
  }
}

/** A unique-key violation (P2002) aborts the transaction; the retry reads the winner's row. */
async function retryOnceOnConflict<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    return run();
  }
}

/** Deletes challenges expired for over an hour (they can never be proven); returns how many. */
export async function pruneChallenges(prisma: PrismaClient, now = new Date()): Promise<number> {
  const res = await prisma.walletChallenge.deleteMany({
    where: { expiresAt: { lt: new Date(now.getTime() - 3_600_000) } },
  });
  return res.count;
}
