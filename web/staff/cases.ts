// Case routes: the queue, and confirm/dismiss through the moderation service (the card
// job then edits the case card in the staff group and the mod channel).
import type { FastifyInstance } from 'fastify';
import type { MessageKey } from '../../core/i18n';
import type { DashboardActions } from '../../dashboard/actions';
import { openCases } from '../../dashboard/cases';
import type { DashboardDeps } from '../../dashboard/deps';
import { casesPage } from '../../dashboard/views/cases';
import { caseRef } from '../../moderation/model';
import { formAction, html, signedOf, trOf, viewOf } from './context';

export function caseRoutes(app: FastifyInstance, deps: DashboardDeps, actions: DashboardActions): void {
  app.get('/cases', async (req, reply) =>
    html(reply, casesPage(await viewOf(req, deps, '/staff/cases'), await openCases(deps.prisma))),
  );
  for (const decision of ['confirm', 'dismiss'] as const)
    app.post<{ Params: { number: string } }>(`/cases/:number/${decision}`, async (req, reply) =>
      formAction(req, reply, deps, '/staff/cases', async () => {
        const n = Number(req.params.number);
        const tr = trOf(req);
        const r = await actions.decide(signedOf(req), n, decision);
        if (r.ok)
          return tr('dashboard.cases.done', {
            case: r.caseRef,
            state: tr(`moderation.state.${decision === 'confirm' ? 'CONFIRMED' : 'DISMISSED'}` as MessageKey),
          });
        return tr('dashboard.cases.refused', { case: caseRef(n), reason: r.reason.replace('_', ' ') });
      }),
    );
}
