// Claim, priority, tags, snippets, close (with reason, transcript, rating, log), close
// requests, reopen within the window, and per-staff statistics.
import { replyText } from '../test/support/fake-conversation';
import { LOG_CHANNEL, ticketWorld, type TicketWorld } from '../test/support/ticketing';
import { waitFor } from '../test/support/wait';
import type { Actor } from './actor';
import { parseHomeRef } from './home';
import { staffStats } from './stats';

let w: TicketWorld;
let staff: Actor;
let seq = 8000;
const nextId = () => String(seq++);

beforeAll(async () => {
  w = await ticketWorld({ settings: { reopenWindowMs: 60_000 } });
  await w.startWorkers();
  staff = await w.actor('TELEGRAM', '901', { role: 'staff', name: 'Sam' });
});
afterAll(async () => {
  await w.close();
});

async function openTicket(user: Actor, category = 'other') {
  const { ticket } = await w.tk.tickets.open({
    requestKey: `k-${user.identityId}-${seq++}`,
    opener: user,
    category,
    description: 'please help',
  });
  const homed = await waitFor(async () => {
    const t = await w.tk.tickets.get(ticket.id);
    return t?.homeKey && w.port.inThread(parseHomeRef(t.homeRef)!.threadId).length >= 2 ? t : null;
  });
  return { ticket: homed, threadId: parseHomeRef(homed.homeRef)!.threadId };
}

it('claim, priority, tags and snippets are staff actions, each audited', async () => {
  const user = await w.actor('TELEGRAM', nextId());
  const { ticket } = await openTicket(user);
  await w.tk.lifecycle.claim(staff, ticket.id);
  const t1 = await w.tk.lifecycle.setPriority(staff, ticket.id, 'urgent');
  expect(t1.slaFirstDueAt!.getTime() - t1.openedAt.getTime()).toBe(w.tk.settings.sla.URGENT.firstMs);
  await w.tk.lifecycle.setTags(staff, ticket.id, 'gpu driver');
  const t2 = await w.tk.lifecycle.setTags(staff, ticket.id, '+vip -driver');
  expect(t2.tags).toEqual(['gpu', 'vip']);
  expect(t2).toMatchObject({ assigneeIdentityId: staff.identityId, assigneeName: 'Sam', priority: 'URGENT' });
  await expect(w.tk.lifecycle.setPriority(staff, ticket.id, 'asap')).rejects.toMatchObject({
    code: 'bad_priority',
  });
  await expect(w.tk.lifecycle.setTags(staff, ticket.id, 'no spaces!')).rejects.toMatchObject({
    code: 'bad_tag',
  });

  await w.tk.snippets.save(staff, 'restart Please restart the worker and send us the log.');
  await w.tk.relay.snippet(staff, t2, 'restart', 'tg:s:1');
  const sent = await waitFor(
    async () =>
      await w.tdb.db.prisma.ticketMessage.findFirst({
        where: { ticketId: ticket.id, kind: 'STAFF', relayedAt: { not: null } },
      }),
  );
  expect(sent.body).toBe('Please restart the worker and send us the log.');
  await expect(w.tk.relay.snippet(staff, t2, 'nope', 'tg:s:2')).rejects.toMatchObject({
    code: 'snippet_missing',
  });

  const actions = (
    await w.tdb.db.prisma.auditEvent.findMany({ where: { subjectId: ticket.id }, orderBy: { id: 'asc' } })
  ).map((a) => a.action);
  expect(actions).toEqual([
    'ticket.open',
    'ticket.claim',
    'ticket.priority',
    'ticket.tags',
    'ticket.tags',
    'ticket.snippet_use',
  ]);
});

it('close: reason kept, transcript stored and sent, rating prompt, log, thread closed; rating stored; reopen', async () => {
  const uid = nextId();
  const user = await w.actor('TELEGRAM', uid, { name: 'Bo' });
  const { ticket, threadId } = await openTicket(user);
  await w.tk.relay.fromStaff(staff, ticket, {
    sourceKey: 's1',
    text: 'fixed on our side <script>x</script>',
  });
  await w.tk.relay.note(staff, ticket, { sourceKey: 's2', text: 'SECRET internal' });
  await w.tk.lifecycle.close(staff, ticket.id, 'resolved by restart');

  const closedDm = await waitFor(() =>
    w.port.toUser(uid).find((c) => replyText(c.reply).includes('is closed')),
  );
  expect(replyText(closedDm.reply)).toContain(`Ticket #${ticket.number} is closed: resolved by restart`);
  expect(closedDm.reply?.buttons?.[0]?.map((b) => b.id)).toEqual(
    [1, 2, 3, 4, 5].map((n) => `tickets:rate:${ticket.number}.${n}`),
  );
  const doc = await waitFor(() => w.port.toUser(uid).find((c) => c.op === 'sendFile'));
  const userHtml = doc.file!.data.toString('utf8');
  expect(userHtml).toContain('fixed on our side');
  expect(userHtml).not.toContain('SECRET internal');
  await waitFor(() =>
    w.port.calls.find(
      (c) => c.op === 'closeThread' && c.ref && 'threadId' in c.ref && c.ref.threadId === threadId,
    ),
  );
  const stored = await w.tdb.db.prisma.ticketTranscript.findUnique({ where: { ticketId: ticket.id } });
  expect(stored?.text).toContain('SECRET internal');
  expect(stored?.html).toContain('fixed on our side &lt;script&gt;x&lt;/script&gt;');
  expect(stored?.html).not.toContain('<script>');
  expect(stored?.text).toContain('closed: resolved by restart');
  expect(
    w.port.calls.some(
      (c) =>
        c.op === 'sendFile' && c.target?.kind === 'thread' && c.file?.name === `ticket-${ticket.number}.html`,
    ) || w.port.calls.some((c) => c.op === 'sendFile' && c.file?.name === `ticket-${ticket.number}.txt`),
  ).toBe(true);
  expect(
    w.port.inThread(threadId).some((c) => replyText(c.reply).includes('Closed by Sam: resolved by restart')),
  ).toBe(true);
  const closed = (await w.tk.tickets.get(ticket.id))!;
  expect(closed).toMatchObject({
    state: 'CLOSED',
    closeReason: 'resolved by restart',
    closedById: staff.identityId,
  });

  await expect(w.tk.lifecycle.rate(user, ticket.id, 6)).rejects.toMatchObject({ code: 'bad_rating' });
  await w.tk.lifecycle.rate(user, ticket.id, 4);
  await w.tk.lifecycle.comment(user, ticket.id, 'quick, thanks');
  expect(await w.tdb.db.prisma.ticketRating.findUnique({ where: { ticketId: ticket.id } })).toMatchObject({
    score: 4,
    comment: 'quick, thanks',
  });

  // Reopened within the window: a fresh Telegram topic with the card.
  const reopened = await w.tk.lifecycle.reopen(user, ticket.id);
  expect(reopened.state).toBe('WAITING_STAFF');
  const fresh = await waitFor(async () => {
    const t = await w.tk.tickets.get(ticket.id);
    const h = parseHomeRef(t?.homeRef);
    return h && h.threadId !== threadId ? h : null;
  });
  await waitFor(() => w.port.inThread(fresh.threadId).some((c) => replyText(c.reply).includes('reopened')));
  expect(replyText(w.port.inThread(fresh.threadId)[0]!.reply)).toContain(`Ticket #${ticket.number}`);
});

it('the log gets the staff transcript; a reopen after the window is refused', async () => {
  const world = await ticketWorld({ settings: { reopenWindowMs: 1 } });
  try {
    await world.startWorkers();
    const user = await world.actor('DISCORD', '42');
    const s = await world.actor('DISCORD', '43', { role: 'staff', name: 'Dee' });
    const { ticket } = await world.tk.tickets.open({
      requestKey: 'a',
      opener: user,
      category: 'other',
      description: 'x',
    });
    await waitFor(async () => (await world.tk.tickets.get(ticket.id))?.homeKey);
    await world.tk.lifecycle.close(s, ticket.id, null);
    await waitFor(() =>
      world.port.calls.find(
        (c) =>
          c.op === 'sendFile' &&
          c.target?.kind === 'channel' &&
          c.target.chatId === LOG_CHANNEL &&
          c.file?.name.endsWith('.txt'),
      ),
    );
    await waitFor(async () => Date.now() > (await world.tk.tickets.get(ticket.id))!.closedAt!.getTime() + 5);
    await expect(world.tk.lifecycle.reopen(user, ticket.id)).rejects.toMatchObject({
      code: 'reopen_expired',
    });
    // Staff may still reopen.
    expect((await world.tk.lifecycle.reopen(s, ticket.id)).state).toBe('WAITING_STAFF');
  } finally {
    await world.close();
  }
});

it('a category with a close request asks the user; "solved" closes, "not yet" keeps it open', async () => {
  const uid = nextId();
  const user = await w.actor('TELEGRAM', uid);
  const { ticket } = await openTicket(user, 'points');
  const r = await w.tk.lifecycle.close(staff, ticket.id, 'points were credited');
  expect(r).toMatchObject({ requested: true, ticket: { state: 'RESOLVED' } });
  const ask = await waitFor(() => w.port.toUser(uid).find((c) => replyText(c.reply).includes('is solved')));
  expect(ask.reply?.buttons?.[0]?.map((b) => b.id)).toEqual([
    `tickets:solved:${ticket.number}`,
    `tickets:notyet:${ticket.number}`,
  ]);
  expect((await w.tk.lifecycle.answerCloseRequest(user, ticket.id, false)).state).toBe('WAITING_STAFF');
  await w.tk.lifecycle.close(staff, ticket.id, 'credited');
  const done = await w.tk.lifecycle.answerCloseRequest(user, ticket.id, true);
  expect(done).toMatchObject({ state: 'CLOSED', closeReason: 'credited' });
  // The user may close their own ticket at once; forced staff close skips the request.
  const other = await openTicket(user, 'points');
  expect((await w.tk.lifecycle.close(user, other.ticket.id, null)).requested).toBe(false);
});

it('stats per staff member: first response, resolution, rating, counts', async () => {
  const s2 = await w.actor('TELEGRAM', '902', { role: 'staff', name: 'Kim' });
  const user = await w.actor('TELEGRAM', nextId());
  const { ticket } = await openTicket(user);
  await w.tk.relay.fromStaff(s2, ticket, { sourceKey: 'k1', text: 'on it' });
  await w.tk.lifecycle.close(s2, ticket.id, null);
  await w.tk.lifecycle.rate(user, ticket.id, 5);
  const stats = await staffStats(w.tdb.db.pool);
  const kim = stats.find((s) => s.identityId === s2.identityId)!;
  expect(kim).toMatchObject({ name: 'Kim', handled: 1, closed: 1, rating: 5, ratings: 1 });
  expect(kim.firstResponseMs).toBeGreaterThanOrEqual(0);
  expect(kim.resolutionMs).toBeGreaterThanOrEqual(kim.firstResponseMs!);
  await expect(
    import('./stats').then((m) => m.statsFor(w.tk.gate, w.tdb.db.prisma, w.tdb.db.pool, user)),
  ).rejects.toMatchObject({ code: 'forbidden' });
});
