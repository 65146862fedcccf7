// Relay both ways, notes, edits, attachments, unreachable users, and staff-only actions
// refused with nothing changed: real PostgreSQL and Redis, in-memory conversation port.
import { replyText } from '../test/support/fake-conversation';
import { ticketWorld, type TicketWorld } from '../test/support/ticketing';
import { waitFor } from '../test/support/wait';
import type { Actor } from './actor';
import { parseHomeRef } from './home';

let w: TicketWorld;
let staff: Actor;
let seq = 7000;
const nextId = () => String(seq++);

beforeAll(async () => {
  w = await ticketWorld();
  await w.startWorkers();
  staff = await w.actor('TELEGRAM', '900', { role: 'staff', name: 'Sam' });
});
afterAll(async () => {
  await w.close();
});

async function openTicket(user: Actor, category = 'other') {
  const { ticket } = await w.tk.tickets.open({
    requestKey: `k-${user.identityId}-${seq++}`,
    opener: user,
    category,
    description: 'first words',
  });
  const homed = await waitFor(
    async () => {
      const t = await w.tk.tickets.get(ticket.id);
      return t?.homeKey && w.port.inThread(parseHomeRef(t.homeRef)!.threadId).length >= 2 ? t : null;
    },
    { what: 'thread with card and description' },
  );
  return { ticket: homed, threadId: parseHomeRef(homed.homeRef)!.threadId };
}

it('staff reply reaches the DM marked as staff; the user reply reaches the topic literally; notes stay internal', async () => {
  const uid = nextId();
  const user = await w.actor('TELEGRAM', uid, { name: 'Ann' });
  const { ticket, threadId } = await openTicket(user);

  await w.tk.relay.fromStaff(staff, ticket, {
    sourceKey: 'tg:staff:1',
    text: 'Try restarting the **agent** @everyone',
  });
  const dm = await waitFor(() => w.port.toUser(uid)[0], { what: 'DM' });
  expect(dm.reply?.blocks[0]).toEqual({ kind: 'title', text: 'Support · Sam' });
  expect(dm.reply?.blocks[1]).toEqual({ kind: 'text', text: 'Try restarting the **agent** @everyone' });
  let t = (await w.tk.tickets.get(ticket.id))!;
  expect(t.state).toBe('WAITING_USER');
  expect(t.firstResponderId).toBe(staff.identityId);

  await w.tk.relay.fromUser(user, t, { sourceKey: 'tg:u:5', text: '<i>still</i> down' });
  await waitFor(() =>
    w.port.inThread(threadId).some((c) => replyText(c.reply).includes('<i>still</i> down')),
  );
  t = (await w.tk.tickets.get(ticket.id))!;
  expect(t.state).toBe('WAITING_STAFF');

  // A redelivered update stores and relays nothing twice.
  expect(await w.tk.relay.fromUser(user, t, { sourceKey: 'tg:u:5', text: '<i>still</i> down' })).toBeNull();

  const postsBefore = w.port.calls.length;
  await w.tk.relay.note(staff, t, { sourceKey: 'tg:staff:2', text: 'user is on driver 535' });
  expect(w.port.calls.length).toBe(postsBefore);
  expect(w.port.toUser(uid).some((c) => replyText(c.reply).includes('driver 535'))).toBe(false);
  const note = await w.tdb.db.prisma.ticketMessage.findFirst({ where: { ticketId: t.id, kind: 'NOTE' } });
  expect(note?.body).toBe('user is on driver 535');
});

it('a burst on one ticket, each update delivered twice at once: stored once each, relayed once each, in order', async () => {
  const user = await w.actor('TELEGRAM', nextId());
  const { ticket, threadId } = await openTicket(user);
  const n = 30;
  // Written in order (the bot takes one user's updates in order), each one redelivered at
  // once; the flushes queued meanwhile run side by side on the workers and meet the lock.
  for (let i = 0; i < n; i++) {
    const msg = { sourceKey: `tg:burst:${i}`, text: `burst ${i}` };
    const stored = await Promise.all([
      w.tk.relay.fromUser(user, ticket, msg),
      w.tk.relay.fromUser(user, ticket, msg),
    ]);
    expect(stored.filter(Boolean)).toHaveLength(1);
  }
  const relayed = () =>
    w.port
      .inThread(threadId)
      .map((c) => /burst (\d+)/.exec(replyText(c.reply))?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number);
  await waitFor(() => relayed().length >= n || null, { what: 'every burst message in the thread' });
  expect(relayed()).toEqual(Array.from({ length: n }, (_, i) => i));
  // A message is marked relayed after its post returns: the last mark can land just after
  // the post is seen (a loaded clean-clone run read it a moment early).
  const burstRows = () =>
    w.tdb.db.prisma.ticketMessage.findMany({
      where: { ticketId: ticket.id, sourceKey: { startsWith: 'tg:burst:' } },
    });
  const rows = await waitFor(
    async () => {
      const r = await burstRows();
      return r.every((m) => m.relayedAt) ? r : null;
    },
    { what: 'every burst message marked relayed' },
  );
  expect(rows).toHaveLength(n);
  expect(
    rows.every(
      (r) => r.relayedAt && r.relayRef && r.kind === 'USER' && r.authorIdentityId === user.identityId,
    ),
  ).toBe(true);
  // The ticket was touched by the stores (no staff reply yet: it stays open).
  const t = (await w.tk.tickets.get(ticket.id))!;
  expect(t.state).toBe('OPEN');
  expect(t.lastUserMessageAt!.getTime()).toBeGreaterThanOrEqual(ticket.openedAt.getTime());
});

it('edits reach the relayed copy in place; attachments are kept and relayed', async () => {
  const uid = nextId();
  const user = await w.actor('TELEGRAM', uid);
  const { ticket, threadId } = await openTicket(user);
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  await w.tk.relay.fromUser(user, ticket, {
    sourceKey: 'tg:u:10',
    text: 'screenshot attached',
    attachments: [
      { name: 'err.png', contentType: 'image/png', size: png.length, data: png, sourceRef: 'file-1' },
    ],
  });
  const file = await waitFor(() => w.port.inThread(threadId).find((c) => c.op === 'sendFile'), {
    what: 'file',
  });
  expect(file.file?.name).toBe('err.png');
  expect(file.file?.data.equals(png)).toBe(true);
  const att = await w.tdb.db.prisma.ticketAttachment.findFirst({
    where: { message: { ticketId: ticket.id } },
  });
  expect(Buffer.from(att!.data!).equals(png)).toBe(true);

  await w.tk.relay.edit(user, ticket, 'tg:u:10', 'screenshot attached (driver 535)');
  const edit = await waitFor(() =>
    w.port.calls.find((c) => c.op === 'edit' && c.ref && 'threadId' in c.ref && c.ref.threadId === threadId),
  );
  expect(replyText(edit.reply)).toContain('screenshot attached (driver 535)');
  expect(replyText(edit.reply)).toContain('(edited)');
  // Nobody else may edit the user's message.
  await expect(w.tk.relay.edit(staff, ticket, 'tg:u:10', 'hijack')).rejects.toMatchObject({
    code: 'forbidden',
  });
});

it('a user who blocked the bot is shown to staff as unreachable', async () => {
  const uid = nextId();
  const user = await w.actor('TELEGRAM', uid);
  const { ticket, threadId } = await openTicket(user);
  w.port.blocked.add(uid);
  await w.tk.relay.fromStaff(staff, ticket, { sourceKey: 'tg:staff:50', text: 'are you there?' });
  await waitFor(() =>
    w.port.inThread(threadId).some((c) => replyText(c.reply).includes('cannot be reached')),
  );
  const identity = await w.tdb.db.prisma.identity.findUnique({ where: { id: user.identityId } });
  expect(identity?.dmReachable).toBe(false);
  const m = await w.tdb.db.prisma.ticketMessage.findFirst({ where: { ticketId: ticket.id, kind: 'STAFF' } });
  expect(m?.relayError).toBe('blocked');
});

it('a non-staff user is refused every staff action and nothing changes', async () => {
  const owner = await w.actor('TELEGRAM', nextId());
  const intruder = await w.actor('TELEGRAM', nextId());
  const { ticket } = await openTicket(owner);
  await w.tdb.db.prisma.ticketSnippet.create({ data: { name: 'restart', body: 'Restart it.' } });
  const snapshot = async () => ({
    ticket: await w.tk.tickets.get(ticket.id),
    messages: await w.tdb.db.prisma.ticketMessage.count({ where: { ticketId: ticket.id } }),
    audits: await w.tdb.db.prisma.auditEvent.count(),
    snippets: await w.tdb.db.prisma.ticketSnippet.findMany(),
  });
  const before = await snapshot();
  const attempts: Array<[string, () => Promise<unknown>]> = [
    ['claim', () => w.tk.lifecycle.claim(intruder, ticket.id)],
    ['unclaim', () => w.tk.lifecycle.unclaim(intruder, ticket.id)],
    [
      'assign',
      () => w.tk.lifecycle.assign(intruder, ticket.id, { identityId: intruder.identityId, name: 'x' }),
    ],
    ['priority', () => w.tk.lifecycle.setPriority(intruder, ticket.id, 'urgent')],
    ['bad priority', () => w.tk.lifecycle.setPriority(intruder, ticket.id, 'whatever')],
    ['tags', () => w.tk.lifecycle.setTags(intruder, ticket.id, '+vip')],
    ['close', () => w.tk.lifecycle.close(intruder, ticket.id, 'spam')],
    ['reopen', () => w.tk.lifecycle.reopen(intruder, ticket.id)],
    ['note', () => w.tk.relay.note(intruder, ticket, { sourceKey: 'x1', text: 'n' })],
    ['reply', () => w.tk.relay.fromStaff(intruder, ticket, { sourceKey: 'x2', text: 'r' })],
    ['snippet', () => w.tk.relay.snippet(intruder, ticket, 'restart', 'x3')],
    ['snippet save', () => w.tk.snippets.save(intruder, 'restart Do nothing')],
    ['snippet delete', () => w.tk.snippets.remove(intruder, 'restart')],
    ['as the owner', () => w.tk.relay.fromUser(intruder, ticket, { sourceKey: 'x4', text: 'hi' })],
    ['rate', () => w.tk.lifecycle.rate(intruder, ticket.id, 1)],
  ];
  for (const [what, run] of attempts) {
    const err = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect({ what, code: (err as { code?: string } | null)?.code }).toEqual({
      what,
      code: expect.stringMatching(/^(forbidden|not_in_ticket|not_closed)$/),
    });
  }
  expect(await snapshot()).toEqual(before);
});

it('a reply from the dashboard before the thread opens: the DM goes out, and the thread gets its copy once open', async () => {
  const uid = nextId();
  const user = await w.actor('TELEGRAM', uid, { name: 'Bea' });
  const web: Actor = { ...staff, via: 'dashboard' };
  // The staff topic cannot be opened at first (a platform hiccup): open-home is retried.
  w.port.failNext('openThread', { ok: false, kind: 'transient', detail: 'down for a moment' });
  const { ticket } = await w.tk.tickets.open({
    requestKey: `k-early-${uid}`,
    opener: user,
    category: 'other',
    description: 'early bird',
  });
  expect(ticket.homeKey).toBeNull();
  await w.tk.relay.fromStaff(web, ticket, {
    sourceKey: `web:dashboard:${uid}`,
    text: 'Answered from the page',
  });
  await waitFor(() => w.port.toUser(uid).find((c) => replyText(c.reply).includes('Answered from the page')), {
    what: 'the DM',
  });
  const homed = await waitFor(async () => (await w.tk.tickets.get(ticket.id))?.homeRef ?? null, {
    what: 'the thread',
    timeoutMs: 20_000,
  });
  const threadId = parseHomeRef(homed)!.threadId;
  const copy = await waitFor(
    () => w.port.inThread(threadId).find((c) => replyText(c.reply).includes('Answered from the page')),
    { what: 'the copy in the thread', timeoutMs: 20_000 },
  );
  expect(replyText(copy.reply)).toContain('Sam replied from the staff dashboard');
});
