// The fleet page: read-only figures from the notifier's stores.
import type { FastifyInstance } from 'fastify';
import type { DashboardDeps } from '../../dashboard/deps';
import { deliveryFailures, fleetSeries, openIncidents, pipelineHealth } from '../../dashboard/fleet';
import { floorHour } from '../../dashboard/fleet-rollup';
import { fleetPage } from '../../dashboard/views/fleet';
import { html, viewOf } from './context';

export function fleetRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  app.get('/fleet', async (req, reply) => {
    const [{ day, week, behind }, incidents, failures, pipeline] = await Promise.all([
      // Far behind, the rollup job catches up (one queued run per hour at most).
      fleetSeries(deps.pool, Date.now(), () =>
        deps.hub.add('fleet-rollup', {}, { jobId: `fleet-rollup-kick-${floorHour(Date.now())}` }),
      ),
      openIncidents(deps.pool),
      deliveryFailures(deps.pool),
      pipelineHealth(deps.hub),
    ]);
    return html(
      reply,
      fleetPage(await viewOf(req, deps, '/staff/fleet'), {
        day,
        week,
        behind,
        incidents,
        failures,
        pipeline,
      }),
    );
  });
}
