// Knowledge-base and staff-stats routes.
import type { FastifyInstance } from 'fastify';
import { describeProblem } from '../../assistant/kb/entry';
import type { DashboardActions } from '../../dashboard/actions';
import type { DashboardDeps } from '../../dashboard/deps';
import { weeklyStats } from '../../dashboard/stats';
import { kbPage } from '../../dashboard/views/kb';
import { statsPage } from '../../dashboard/views/stats';
import { staffStats } from '../../ticketing/stats';
import { field, formAction, html, signedOf, trOf, viewOf } from './context';

export function contentRoutes(app: FastifyInstance, deps: DashboardDeps, actions: DashboardActions): void {
  app.get('/kb', async (req, reply) => {
    const id = String((req.query as Record<string, unknown>).id ?? '').slice(0, 100);
    const [entries, history] = await Promise.all([
      deps.assistant.entries(),
      id ? deps.assistant.history(id) : Promise.resolve(null),
    ]);
    const picked = id && history ? { id, history } : null;
    return html(reply, kbPage(await viewOf(req, deps, '/staff/kb'), entries, picked));
  });
  app.post('/kb/publish', async (req, reply) =>
    formAction(req, reply, deps, '/staff/kb', async () => {
      const tr = trOf(req);
      const r = await actions.publish(signedOf(req), field(req.body, 'text'));
      if (r.kind === 'invalid')
        return tr('dashboard.kb.error', { error: r.problems.map(describeProblem).join('; ') });
      return tr('dashboard.kb.published', { id: r.entry.id, lang: r.entry.lang });
    }),
  );
  app.get('/stats', async (req, reply) => {
    const [totals, weeks] = await Promise.all([staffStats(deps.pool), weeklyStats(deps.pool)]);
    return html(reply, statsPage(await viewOf(req, deps, '/staff/stats'), totals, weeks));
  });
}
