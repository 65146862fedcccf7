// A user merge is one transaction across every participant: a process killed in the middle
// of it leaves the old state whole; the merge run again gives the whole new state.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { mergeUsersIn } from './merge';
import { incidentsParticipant } from '../notifier/incidents/membership';
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
      await p.identity.create({ data: { userId: user.id, platform, platformUserId: uid } });
      await p.wallet.create({
        data: { userId: user.id, chain: 'SOLANA', address: wallet, verifiedAt: new Date() },
      });
      const n = await p.node.create({ data: { externalId: node, userId: user.id } });
      await p.incident.create({
        data: { userId: user.id, nodes: { create: [{ nodeId: n.id, downAt: new Date() }] } },
      });
      return user.id;
    };
    const from = await mk('TELEGRAM', '77001', 'merge-node-from-1', 'WalletFrom111111111111111111111111');
    const into = await mk('DISCORD', '77002', 'merge-node-into-1', 'WalletInto111111111111111111111111');
    return { from, into };
  }

  /** Who owns what: [identities, wallets, nodes, open incident nodes] per user id. */
  async function owners(ids: string[]) {
    const p = tdb.db.prisma;
    const out: Record<string, unknown> = {};
    for (const id of ids) {
      out[id] = {
        user: (await p.user.count({ where: { id } })) === 1,
        identities: await p.identity.count({ where: { userId: id } }),
        wallets: await p.wallet.count({ where: { userId: id } }),
        nodes: await p.node.count({ where: { userId: id } }),
        openIncidents: await p.incident.count({ where: { userId: id, closedAt: null } }),
        incidentNodes: await p.incidentNode.count({ where: { incident: { userId: id, closedAt: null } } }),
      };
    }
    return out;
  }

  it('kill -9 mid-merge leaves the old state; the merge run again leaves the new one', async () => {
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

    await tdb.db.prisma.$transaction((tx) => mergeUsersIn(tx, from, into, [incidentsParticipant]));
    expect(await owners([from, into])).toEqual({
      [from]: { user: false, identities: 0, wallets: 0, nodes: 0, openIncidents: 0, incidentNodes: 0 },
      // Two open incidents became one holding both nodes.
      [into]: { user: true, identities: 2, wallets: 2, nodes: 2, openIncidents: 1, incidentNodes: 2 },
    });
  }, 90_000);
});
