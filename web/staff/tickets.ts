// Ticket routes: the queue (filters, bulk claim) and one ticket (reply, note, claim, close).
import type { FastifyInstance } from 'fastify';
import { DashboardActions } from '../../dashboard/actions';
import type { DashboardDeps } from '../../dashboard/deps';
import { assignees, parseFilter, queue } from '../../dashboard/queue';
import { queuePage, ticketPage } from '../../dashboard/views/tickets';
import { loadContextCard, renderContextCard } from '../../ticketing/context-card';
import { isTicketError } from '../../ticketing/errors';
import { staffOf } from './auth';
import { field, fields, formAction, html, signedOf, trOf, viewOf } from './context';

export function ticketRoutes(app: FastifyInstance, deps: DashboardDeps, actions: DashboardActions): void {
  const tk = deps.tickets;
  const categoryIds = () => tk.categories.list.map((c) => c.id);

  app.get('/', async (req, reply) => {
    const f = parseFilter(req.query as Record<string, unknown>, categoryIds());
    const [rows, staff] = await Promise.all([
      queue(deps.prisma, f, staffOf(req).session.identityId),
      assignees(deps.prisma),
    ]);
    return html(reply, queuePage(await viewOf(req, deps, '/staff'), f, rows, tk.categories, staff));
  });

  app.post('/tickets/claim', async (req, reply) =>
    formAction(req, reply, deps, '/staff', async () => {
      const numbers = fields(req.body, 'ticket').map(Number).filter(Number.isSafeInteger);
      const r = await actions.claim(signedOf(req), numbers);
      return [trOf(req)('dashboard.queue.claimed', { count: r.claimed }), ...r.errors].join(' ');
    }),
  );

  app.get<{ Params: { number: string } }>('/tickets/:number', async (req, reply) => {
    // The page's own path: switching the language comes back here.
    const v = await viewOf(req, deps, `/staff/tickets/${Number(req.params.number) || 0}`);
    let ticket;
    try {
      ticket = await actions.ticket(Number(req.params.number));
    } catch (err) {
      if (!isTicketError(err)) throw err;
      return reply.code(404).type('text/plain; charset=utf-8').send(v.t('dashboard.ticket.notFound'));
    }
    const [messages, card] = await Promise.all([
      deps.prisma.ticketMessage.findMany({
        where: { ticketId: ticket.id },
        orderBy: { id: 'asc' },
        take: 500,
      }),
      loadContextCard(deps.prisma, deps.status, ticket),
    ]);
    return html(
      reply,
      ticketPage(v, ticket, messages, renderContextCard(card, tk.categories), tk.categories),
    );
  });

  const ticketForm = (
    action: string,
    work: (n: number, body: unknown, req: Parameters<typeof signedOf>[0]) => Promise<string>,
  ) =>
    app.post<{ Params: { number: string } }>(`/tickets/:number/${action}`, async (req, reply) => {
      const n = Number(req.params.number);
      return formAction(req, reply, deps, `/staff/tickets/${n}`, () => work(n, req.body, req));
    });

  ticketForm('reply', async (n, body, req) => {
    await actions.reply(signedOf(req), n, field(body, 'text'));
    return trOf(req)('dashboard.ticket.replied');
  });
  ticketForm('note', async (n, body, req) => {
    await actions.note(signedOf(req), n, field(body, 'text'));
    return trOf(req)('dashboard.ticket.noted');
  });
  ticketForm('claim', async (n, _body, req) => {
    const r = await actions.claim(signedOf(req), [n]);
    if (r.errors.length) return r.errors.join(' ');
    return trOf(req)('dashboard.ticket.claimedBy', { name: staffOf(req).session.name });
  });
  ticketForm('close', async (n, body, req) => {
    const r = await actions.close(signedOf(req), n, field(body, 'reason'));
    const tr = trOf(req);
    return r.requested ? tr('dashboard.ticket.closeRequested') : tr('dashboard.ticket.closed', { number: n });
  });
}
