// Opening tickets against the real PostgreSQL and Redis: the intake step by step, the
// staff thread with its context card, limits with their "when", and concurrent opens.
import { replyText } from '../test/support/fake-conversation';
import { STAFF_CHAT, SUPPORT_CHANNEL, ticketWorld, type TicketWorld } from '../test/support/ticketing';
import { waitFor } from '../test/support/wait';
import { TicketError } from './errors';
import { intakeReply } from './render';

let w: TicketWorld;
let seq = 5000;
const nextId = () => String(seq++);

beforeAll(async () => {
  w = await ticketWorld({ settings: { perHour: 50 } });
  await w.startWorkers();
});
afterAll(async () => {
  await w.close();
});

async function seedAssets(userId: string) {
  const prisma = w.tdb.db.prisma;
  await prisma.wallet.create({
    data: {
      userId,
      chain: 'SOLANA',
      address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV',
      verifiedAt: new Date(),
    },
  });
  await prisma.node.create({
    data: { externalId: 'b1f0c2d4-5e6f-4a1b-9c8d-7e6f5a4b3c2d', userId, state: 'OFFLINE' },
  });
}

describe('intake', () => {
  it('asks category, questions and description one at a time; buttons and plain text both work', async () => {
    const user = await w.actor('TELEGRAM', nextId(), { name: 'Ann' });
    await seedAssets(user.userId);
    let p = await w.tk.intake.start(user);
    expect(p.kind).toBe('category');
    const rendered = intakeReply(p, 'en', w.tk.categories);
    expect(rendered.buttons?.map((r) => r[0]!.id)).toContain('tickets:cat:0.node-offline');

    // A stale button (wrong step) shows the current step instead.
    p = await w.tk.intake.answer(user, { kind: 'button', step: 3, value: 'points' });
    expect(p.kind).toBe('category');
    p = await w.tk.intake.answer(user, { kind: 'text', text: 'no such thing' });
    expect(p).toMatchObject({ kind: 'category', invalid: true });
    p = await w.tk.intake.answer(user, { kind: 'text', text: '2' }); // node-offline by number
    expect(p).toMatchObject({ kind: 'question', question: { id: 'node_id' } });
    p = await w.tk.intake.answer(user, { kind: 'text', text: 'b1f0c2d4-5e6f-4a1b-9c8d-7e6f5a4b3c2d' });
    expect(p.kind).toBe('description');
    p = await w.tk.intake.answer(user, {
      kind: 'text',
      text: 'my node is down <b>@everyone</b>',
      sourceKey: 'tg:1:1',
    });
    expect(p.kind).toBe('done');
    if (p.kind !== 'done') throw new Error();
    const ticket = p.ticket;
    expect(ticket).toMatchObject({
      category: 'node-offline',
      priority: 'HIGH',
      state: 'OPEN',
      homePlatform: 'TELEGRAM',
    });
    expect(await w.tk.intake.current(user.identityId)).toBeNull();

    // One topic in the staff chat, its name holding the number, the card first, then the description.
    const thread = await waitFor(
      async () => (await w.tdb.db.prisma.ticket.findUnique({ where: { id: ticket.id } }))?.homeKey,
      { what: 'thread' },
    );
    const open = w.port.calls.filter(
      (c) => c.op === 'openThread' && c.spec?.name.startsWith(`#${ticket.number} `),
    );
    expect(open).toHaveLength(1);
    expect(open[0]!.spec).toMatchObject({ parentChatId: STAFF_CHAT });
    const threadId = thread.split(':')[2]!;
    const posts = await waitFor(
      () => (w.port.inThread(threadId).length >= 2 ? w.port.inThread(threadId) : null),
      {
        what: 'card and description',
      },
    );
    const card = replyText(posts[0]!.reply);
    expect(card).toContain(`Ticket #${ticket.number}`);
    expect(card).toContain('b1f0c2d4-5e6f-4a1b-9c8d-7e6f5a4b3c2d: offline');
    expect(card).toContain('7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV');
    expect(card).toContain('Telegram: Ann');
    expect(replyText(posts[1]!.reply)).toContain('my node is down <b>@everyone</b>');
  });

  it('/support <text> takes the text as the description; /cancel leaves and opens nothing', async () => {
    const user = await w.actor('TELEGRAM', nextId());
    let p = await w.tk.intake.start(user, { description: 'points missing since Monday' });
    expect(p.kind).toBe('category');
    p = await w.tk.intake.answer(user, { kind: 'button', step: 0, value: 'points' });
    expect(p.kind).toBe('done');

    const other = await w.actor('TELEGRAM', nextId());
    await w.tk.intake.start(other);
    expect(await w.tk.intake.cancel(other.identityId)).toBe(true);
    await expect(w.tk.intake.answer(other, { kind: 'text', text: 'hello' })).rejects.toMatchObject({
      code: 'no_intake',
    });
    expect(await w.tdb.db.prisma.ticket.count({ where: { userId: other.userId } })).toBe(0);
  });

  it('a select question takes a button, a number or the label', async () => {
    const user = await w.actor('DISCORD', nextId());
    let p = await w.tk.intake.start(user, { category: 'setup' });
    expect(p).toMatchObject({ kind: 'question', question: { id: 'os', kind: 'select' } });
    p = await w.tk.intake.answer(user, { kind: 'text', text: 'BeOS' });
    expect(p).toMatchObject({ kind: 'question', invalid: true });
    p = await w.tk.intake.answer(user, { kind: 'text', text: 'windows' });
    expect(p.kind).toBe('description');
    p = await w.tk.intake.answer(user, { kind: 'text', text: 'driver error 43' });
    expect(p).toMatchObject({
      kind: 'done',
      ticket: { answers: { os: 'windows' }, homePlatform: 'DISCORD' },
    });
    if (p.kind !== 'done') throw new Error();
    await waitFor(() =>
      w.port.calls.find((c) => c.op === 'openThread' && c.spec?.name.startsWith(`#${p.ticket.number} `)),
    );
    const call = w.port.calls.find(
      (c) => c.op === 'openThread' && c.spec?.name.startsWith(`#${p.ticket.number} `),
    )!;
    // A Discord ticket's user is added to the private thread.
    expect(call.spec).toMatchObject({ parentChatId: SUPPORT_CHANNEL, private: true });
    expect(call.spec?.memberPlatformUserIds).toHaveLength(1);
  });
});

describe('limits', () => {
  it('refuses a fourth open ticket, naming the open ones; nothing is created', async () => {
    const user = await w.actor('TELEGRAM', nextId());
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { ticket } = await w.tk.tickets.open({
        requestKey: `lim-${user.userId}-${i}`,
        opener: user,
        category: 'other',
        description: `q${i}`,
      });
      numbers.push(ticket.number);
    }
    const err = await w.tk.tickets
      .open({ requestKey: `lim-${user.userId}-x`, opener: user, category: 'other', description: 'again' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TicketError);
    expect((err as TicketError).code).toBe('limit_open');
    expect((err as TicketError).params.numbers).toBe(numbers.map((n) => `#${n}`).join(', '));
    // The intake refuses up front, before any question.
    await expect(w.tk.intake.start(user)).rejects.toMatchObject({ code: 'limit_open' });
    expect(await w.tdb.db.prisma.ticket.count({ where: { userId: user.userId } })).toBe(3);
  });

  it('refuses past the hourly rate and says when the next one is possible', async () => {
    const world = await ticketWorld({ settings: { perHour: 2, maxOpenPerUser: 10 } });
    try {
      const user = await world.actor('TELEGRAM', '777');
      const t0 = Date.now();
      await world.tk.tickets.open({ requestKey: 'r1', opener: user, category: 'other', description: 'a' });
      await world.tk.tickets.open({ requestKey: 'r2', opener: user, category: 'other', description: 'b' });
      const err = (await world.tk.tickets
        .open({ requestKey: 'r3', opener: user, category: 'other', description: 'c' })
        .catch((e: unknown) => e)) as TicketError;
      expect(err.code).toBe('limit_rate');
      const at = (err.params.at as Date).getTime();
      expect(at).toBeGreaterThanOrEqual(t0 + 3_600_000 - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 3_600_000);
    } finally {
      await world.close();
    }
  });

  it('the same request twice is one ticket; concurrent opens by one user stop at the limit', async () => {
    const user = await w.actor('TELEGRAM', nextId());
    const same = await Promise.all(
      Array.from({ length: 5 }, () =>
        w.tk.tickets.open({
          requestKey: `dup-${user.userId}`,
          opener: user,
          category: 'other',
          description: 'x',
        }),
      ),
    );
    expect(new Set(same.map((r) => r.ticket.id)).size).toBe(1);
    expect(same.filter((r) => r.created)).toHaveLength(1);
    const racer = await w.actor('TELEGRAM', nextId());
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        w.tk.tickets.open({
          requestKey: `race-${racer.userId}-${i}`,
          opener: racer,
          category: 'other',
          description: 'x',
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await w.tdb.db.prisma.ticket.count({ where: { userId: racer.userId } })).toBe(3);
  });

  it('refuses an unknown category clearly', async () => {
    const user = await w.actor('TELEGRAM', nextId());
    await expect(w.tk.intake.start(user, { category: 'nope' })).rejects.toMatchObject({
      code: 'bad_category',
    });
  });
});

describe('concurrency and platform failures', () => {
  it('an open that waited for a user merge opens the ticket under the surviving user', async () => {
    const survivor = await w.actor('TELEGRAM', nextId());
    const folded = await w.actor('DISCORD', nextId());
    const pool = w.tdb.db.pool;
    // A merge in flight: it holds the folded user's open lock and moves its identity.
    const merge = await pool.connect();
    await merge.query('BEGIN');
    await merge.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ticket-open:${folded.userId}`]);
    await merge.query('UPDATE identities SET user_id = $1 WHERE id = $2', [
      survivor.userId,
      folded.identityId,
    ]);
    const opening = w.tk.tickets.open({
      requestKey: `merge-race-${folded.userId}`,
      opener: folded,
      category: 'other',
      description: 'opened while merging',
    });
    // The open is waiting on the lock (it has not inserted anything yet).
    await waitFor(
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
                AND objid = oid(hashtext($1)::bigint & 4294967295) LIMIT 1`,
            [`ticket-open:${folded.userId}`],
          )
        ).rowCount === 1 || null,
      { what: 'the open waiting for the merge' },
    );
    await merge.query('COMMIT');
    merge.release();
    const { ticket } = await opening;
    expect(ticket.userId).toBe(survivor.userId);
  });

  it('40 users at once: 40 tickets, 40 threads, no duplicate after 5xx and 429 answers', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, () => w.actor('TELEGRAM', nextId())));
    for (let i = 0; i < 6; i++)
      w.port.failNext('openThread', { ok: false, kind: 'transient', detail: '502 Bad Gateway' });
    for (let i = 0; i < 4; i++)
      w.port.failNext('openThread', { ok: false, kind: 'rate_limited', retryAfterMs: 50 });
    const opened = await Promise.all(
      users.map((u) =>
        w.tk.tickets.open({
          requestKey: `burst-${u.userId}`,
          opener: u,
          category: 'other',
          description: 'help',
        }),
      ),
    );
    const ids = new Set(opened.map((o) => o.ticket.id));
    expect(ids.size).toBe(40);
    await waitFor(
      async () =>
        (await w.tdb.db.prisma.ticket.count({ where: { id: { in: [...ids] }, homeKey: { not: null } } })) ===
        40,
      { timeoutMs: 60_000, what: '40 threads' },
    );
    // Only these 40 tickets' opens count: an earlier test's thread may still open meanwhile.
    const mine = new Set(opened.map((o) => `#${o.ticket.number} `));
    const names = w.port.calls
      .filter((c) => c.op === 'openThread' && c.result.ok && mine.has(`${c.spec!.name.split('·')[0]}`))
      .map((c) => c.spec!.name);
    expect(names).toHaveLength(40);
    expect(new Set(names).size).toBe(names.length);
  }, 90_000);
});
