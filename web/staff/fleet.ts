// The fleet page: read-only figures from the notifier's stores.
import type { FastifyInstance } from 'fastify';
import type { DashboardDeps } from '../../dashboard/deps';
import { deliveryFailures, fleetSeries, openIncidents, pipelineHealth } from '../../dashboard/fleet';
import { fleetPage } from '../../dashboard/views/fleet';
import { html, viewOf } from './context';

export function fleetRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  app.get('/fleet', async (req, reply) => {
    const [{ day, week }, incidents, failures, pipeline] = await Promise.all([
      fleetSeries(deps.pool),
      openIncidents(deps.pool),
      deliveryFailures(deps.pool),
      pipelineHealth(deps.hub),
    ]);
    return html(
      reply,
      fleetPage(await viewOf(req, deps, '/staff/fleet'), { day, week, incidents, failures, pipeline }),
    );
  });
}
