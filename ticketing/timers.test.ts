// SLA warnings/breaches and the inactivity warning + auto-close as BullMQ delayed jobs,
// with timers shortened; the workers are stopped and started again while timers are pending.
import { replyText } from '../test/support/fake-conversation';
import { ticketWorld, type TicketWorld } from '../test/support/ticketing';
import { waitFor } from '../test/support/wait';
import { parseHomeRef } from './home';
import { DEFAULT_SLA } from './settings';
import { nextState } from './state';
import { warnAt } from './timers';

describe('timers', () => {
  let w: TicketWorld;

  beforeAll(async () => {
    w = await ticketWorld({
      settings: {
        sla: { ...DEFAULT_SLA, NORMAL: { firstMs: 2_500, resolveMs: 60_000 } },
        slaWarnShare: 0.6,
        idleWarnAfterMs: 1_500,
        idleCloseAfterMs: 1_500,
      },
    });
    await w.startWorkers();
  });
  afterAll(async () => {
    await w.close();
  });

  it('warns staff before the first-response SLA, then records the breach; survives a workers restart', async () => {
    const user = await w.actor('TELEGRAM', '100');
    const { ticket } = await w.tk.tickets.open({
      requestKey: 'sla',
      opener: user,
      category: 'other',
      description: 'x',
    });
    const home = await waitFor(async () => parseHomeRef((await w.tk.tickets.get(ticket.id))?.homeRef), {
      what: 'home',
    });
    // The workers go down before the timers are due and come back.
    await w.stopWorkers();
    const delayed = await w.hub.queue('ticket-timer').getJobs(['delayed']);
    expect(
      delayed
        .filter((j) => j.data.ticketId === ticket.id)
        .map((j) => j.data.kind)
        .sort(),
    ).toEqual(['sla-first-breach', 'sla-first-warn', 'sla-resolve-breach', 'sla-resolve-warn']);
    await w.startWorkers();
    const warn = await waitFor(
      () => w.port.inThread(home.threadId).find((c) => replyText(c.reply).includes('First response due in')),
      { timeoutMs: 15_000, what: 'SLA warning' },
    );
    expect(replyText(warn.reply)).toContain('priority normal');
    await waitFor(
      () => w.port.inThread(home.threadId).find((c) => replyText(c.reply).includes('target missed')),
      {
        timeoutMs: 15_000,
        what: 'SLA breach',
      },
    );
    const t = (await w.tk.tickets.get(ticket.id))!;
    expect(t.slaFirstWarnedAt).not.toBeNull();
    expect(t.slaFirstBreachedAt).not.toBeNull();
    // The warning went out once even though jobs may be seen twice around a restart.
    expect(
      w.port.inThread(home.threadId).filter((c) => replyText(c.reply).includes('First response due')),
    ).toHaveLength(1);
  });

  it('an answered ticket gets no SLA warning (the timer is stale)', async () => {
    const user = await w.actor('TELEGRAM', '101');
    const staff = await w.actor('TELEGRAM', '102', { role: 'staff' });
    const { ticket } = await w.tk.tickets.open({
      requestKey: 'sla2',
      opener: user,
      category: 'other',
      description: 'x',
    });
    await w.tk.relay.fromStaff(staff, ticket, { sourceKey: 's', text: 'hello' });
    const fired = await w.tk.timers.fire({
      ticketId: ticket.id,
      kind: 'sla-first-warn',
      dueAt: warnAt(ticket.openedAt, ticket.slaFirstDueAt!, 0.6),
    });
    expect(fired.fired).toBe(false);
  });

  it('warns an inactive user, then closes the ticket; survives a workers restart', async () => {
    const uid = '103';
    const user = await w.actor('TELEGRAM', uid);
    const staff = await w.actor('TELEGRAM', '104', { role: 'staff' });
    const { ticket } = await w.tk.tickets.open({
      requestKey: 'idle',
      opener: user,
      category: 'other',
      description: 'x',
    });
    await waitFor(async () => (await w.tk.tickets.get(ticket.id))?.homeKey);
    await w.tk.relay.fromStaff(staff, (await w.tk.tickets.get(ticket.id))!, {
      sourceKey: 's1',
      text: 'try this',
    });
    await w.stopWorkers();
    await w.startWorkers();
    await waitFor(() => w.port.toUser(uid).find((c) => replyText(c.reply).includes('will close in')), {
      timeoutMs: 15_000,
      what: 'inactivity warning',
    });
    await w.stopWorkers();
    await w.startWorkers();
    const closed = await waitFor(
      async () => {
        const t = await w.tk.tickets.get(ticket.id);
        return t?.state === 'CLOSED' ? t : null;
      },
      { timeoutMs: 15_000, what: 'auto-close' },
    );
    expect(closed.closeReason).toBe('inactivity');
    await waitFor(() => w.port.toUser(uid).find((c) => replyText(c.reply).includes('nobody wrote')));
    const audit = await w.tdb.db.prisma.auditEvent.findFirst({
      where: { subjectId: ticket.id, action: 'ticket.auto_close' },
    });
    expect(audit).not.toBeNull();
  });

  it('a user reply cancels the inactivity warning', async () => {
    const user = await w.actor('TELEGRAM', '105');
    const staff = await w.actor('TELEGRAM', '106', { role: 'staff' });
    const { ticket } = await w.tk.tickets.open({
      requestKey: 'idle2',
      opener: user,
      category: 'other',
      description: 'x',
    });
    await w.tk.relay.fromStaff(staff, ticket, { sourceKey: 's1', text: 'try this' });
    const due = (await w.tk.tickets.get(ticket.id))!.idleWarnDueAt!;
    await w.tk.relay.fromUser(user, (await w.tk.tickets.get(ticket.id))!, {
      sourceKey: 'u1',
      text: 'did not help',
    });
    expect(
      (await w.tk.timers.fire({ ticketId: ticket.id, kind: 'idle-warn', dueAt: due.getTime() })).fired,
    ).toBe(false);
  });
});

describe('state machine', () => {
  it('open → waiting → resolved → closed, and reopen', () => {
    expect(nextState('OPEN', 'user_message')).toBe('OPEN');
    expect(nextState('OPEN', 'staff_message')).toBe('WAITING_USER');
    expect(nextState('WAITING_USER', 'user_message')).toBe('WAITING_STAFF');
    expect(nextState('WAITING_STAFF', 'close_request')).toBe('RESOLVED');
    expect(nextState('RESOLVED', 'keep_open')).toBe('WAITING_STAFF');
    expect(nextState('RESOLVED', 'close')).toBe('CLOSED');
    expect(nextState('CLOSED', 'reopen')).toBe('WAITING_STAFF');
    expect(() => nextState('CLOSED', 'user_message')).toThrow();
    expect(() => nextState('OPEN', 'reopen')).toThrow();
  });
});
