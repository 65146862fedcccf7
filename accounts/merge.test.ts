// A user merge is one transaction across every participant (wallets, nodes, incidents,
// tickets, moderation, delivery failures): a process killed in the middle of it leaves the
// old state whole; the merge run again gives the whole new state, all under the survivor.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { mergeUsersIn } from './merge';
import { userMergeParticipants } from '../cli/merge-participants';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { waitFor } from '../test/support/wait';

const ROOT = path.resolve(__dirname, '..');

describe('user merge', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
  });

  async function seed() {
    const p = tdb.db.prisma;
    const mk = async (platform: 'TELEGRAM' | 'DISCORD', uid: string, node: string, wallet: string) => {
      const user = await p.user.create({ data: {} });
      const identity = await p.identity.create({ data: { userId: user.id, platform, platformUserId: uid } });
      await p.wallet.create({
        data: { userId: user.id, chain: 'SOLANA', address: wallet, verifiedAt: new Date() },
      });
      const n = await p.node.create({ data: { externalId: node, userId: user.id } });
      await p.incident.create({
        data: { userId: user.id, nodes: { create: [{ nodeId: n.id, downAt: new Date() }] } },
      });
      await p.ticket.create({
        data: {
          requestKey: `merge-${uid}`,
          userId: user.id,
          identityId: identity.id,
          platform,
          homePlatform: 'DISCORD',
          category: 'other',
          subject: `ticket of ${uid}`,
        },
      });
      await p.ticketIntake.create({
        data: {
          identityId: identity.id,
          userId: user.id,
          platform,
          expiresAt: new Date(Date.now() + 3_600_000),
        },
      });
      await p.deliveryFailure.create({
        data: {
          userId: user.id,
          dedupeKey: `merge-fail-${uid}`,
          kind: 'alert',
          reason: 'blocked',
          tried: [],
        },
      });
      return { userId: user.id, identityId: identity.id };
    };
    const a = await mk('TELEGRAM', '77001', 'merge-node-from-1', 'WalletFrom111111111111111111111111');
    const b = await mk('DISCORD', '77002', 'merge-node-into-1', 'WalletInto111111111111111111111111');
    const report = (caseId: string, who: typeof a, nodeId: string) =>
      p.caseReport.create({
        data: {
          caseId,
          reporterUserId: who.userId,
          reporterIdentityId: who.identityId,
          nodeId,
          reason: 'OTHER',
          text: 'suspicious',
          weight: 1,
          counted: true,
          youngAccount: false,
          accountCreatedAt: new Date(),
        },
      });
    // An open case both reported the same node in, with a question pending to each of them.
    const open = await p.moderationCase.create({ data: { origin: 'REPORTED', state: 'NEEDS_INFO' } });
    await report(open.id, a, 'reported-node-1');
    await report(open.id, b, 'reported-node-1');
    await p.caseInfoRequest.createMany({
      data: [
        { caseId: open.id, userId: a.userId },
        { caseId: open.id, userId: b.userId },
      ],
    });
    // A confirmed case both were credited for, and a case the folded user claimed.
    const decided = await p.moderationCase.create({ data: { origin: 'REPORTED', state: 'CONFIRMED' } });
    await report(decided.id, a, 'reported-node-2');
    await report(decided.id, b, 'reported-node-2');
    await p.moderationCase.create({
      data: { origin: 'DETECTED', assigneeUserId: a.userId, assigneeName: 'mod a' },
    });
    await p.caseEvent.create({ data: { caseId: open.id, actorUserId: a.userId, action: 'reported' } });
    await p.reporterStanding.createMany({
      data: [
        {
          userId: a.userId,
          confirmed: 2,
          dismissed: 1,
          barredAt: new Date(),
          barredByName: 'mod',
          barReason: 'spam',
        },
        { userId: b.userId, confirmed: 3, dismissed: 0 },
      ],
    });
    return { from: a.userId, into: b.userId };
  }

  /** Who owns what, per user id: every feature's rows that key by user. */
  async function owners(ids: string[]) {
    const p = tdb.db.prisma;
    const out: Record<string, unknown> = {};
    for (const id of ids) {
      const standing = await p.reporterStanding.findUnique({ where: { userId: id } });
      out[id] = {
        user: (await p.user.count({ where: { id } })) === 1,
        identities: await p.identity.count({ where: { userId: id } }),
        wallets: await p.wallet.count({ where: { userId: id } }),
        nodes: await p.node.count({ where: { userId: id } }),
        openIncidents: await p.incident.count({ where: { userId: id, closedAt: null } }),
        incidentNodes: await p.incidentNode.count({ where: { incident: { userId: id, closedAt: null } } }),
        tickets: await p.ticket.count({ where: { userId: id } }),
        intakes: await p.ticketIntake.count({ where: { userId: id } }),
        reports: await p.caseReport.count({ where: { reporterUserId: id } }),
        countedReports: await p.caseReport.count({ where: { reporterUserId: id, counted: true } }),
        pendingQuestions: await p.caseInfoRequest.count({ where: { userId: id, answeredAt: null } }),
        standing: standing && {
          confirmed: standing.confirmed,
          dismissed: standing.dismissed,
          barred: standing.barredAt !== null,
          barReason: standing.barReason,
        },
        claimedCases: await p.moderationCase.count({ where: { assigneeUserId: id } }),
        caseEvents: await p.caseEvent.count({ where: { actorUserId: id } }),
        deliveryFailures: await p.deliveryFailure.count({ where: { userId: id } }),
      };
    }
    return out;
  }

  it('kill -9 mid-merge leaves the old state (no incident under a deleted user); the merge run again leaves the new one, every down node in one incident', async () => {
    const { from, into } = await seed();
    const before = await owners([from, into]);
    const child = spawn(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(ROOT, 'test/fixtures/merge-crash.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: tdb.url, FROM_USER: from, INTO_USER: into },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await waitFor(() => out.includes('STALLED') || null, { timeoutMs: 60_000, what: 'merge in progress' });
      child.kill('SIGKILL');
      await exited;
    } finally {
      child.kill('SIGKILL');
    }
    // The server rolls back the dead connection's transaction: everything where it was.
    expect(await owners([from, into])).toEqual(before);

    await tdb.db.prisma.$transaction((tx) => mergeUsersIn(tx, from, into, userMergeParticipants));
    const common = { wallets: 2, nodes: 2, openIncidents: 1, incidentNodes: 2, tickets: 2, intakes: 2 };
    expect(await owners([from, into])).toEqual({
      [from]: {
        user: false,
        identities: 0,
        wallets: 0,
        nodes: 0,
        openIncidents: 0,
        incidentNodes: 0,
        tickets: 0,
        intakes: 0,
        reports: 0,
        countedReports: 0,
        pendingQuestions: 0,
        standing: null,
        claimedCases: 0,
        // The case history keeps who acted then.
        caseEvents: 1,
        deliveryFailures: 0,
      },
      [into]: {
        user: true,
        identities: 2,
        // Two open incidents became one holding both nodes; both tickets move, open or not.
        ...common,
        // One person's two reports on a node count once; one question stands per case.
        reports: 4,
        countedReports: 2,
        pendingQuestions: 1,
        // 2 + 3 confirmed, less the case both were credited for; the bar stays.
        standing: { confirmed: 4, dismissed: 1, barred: true, barReason: 'spam' },
        claimedCases: 1,
        caseEvents: 0,
        deliveryFailures: 2,
      },
    });
  }, 90_000);
});
