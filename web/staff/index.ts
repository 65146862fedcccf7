// The staff dashboard on the web role: public sign-in routes, then the /staff context
// behind the session gate (pages, form actions, Bull Board). Mounted by web/start.ts.
import type { FastifyInstance } from 'fastify';
import { isLocale } from '../../core/i18n';
import { DashboardActions } from '../../dashboard/actions';
import type { DashboardDeps } from '../../dashboard/deps';
import { clearCookie, formBodies, SIGN_IN_PAGE, sessionGate, signInRoutes, staffOf } from './auth';
import { field } from './context';
import { bullBoard } from './board';
import { caseRoutes } from './cases';
import { contentRoutes } from './content';
import { fleetRoutes } from './fleet';
import { ticketRoutes } from './tickets';

export interface StaffDashboard {
  deps: DashboardDeps;
  sessionTtlSeconds: number;
}

/** Only paths of our own pages are followed back after a form (no open redirect). */
const safeBack = (p: string) => (/^\/staff(\/[A-Za-z0-9/_-]*)?$/.test(p) ? p : '/staff');

export function staffDashboardRoutes(dash: StaffDashboard) {
  const { deps } = dash;
  const actions = new DashboardActions(deps);
  return async (app: FastifyInstance) => {
    signInRoutes(app, deps, dash.sessionTtlSeconds);
    await app.register(
      async (staff) => {
        formBodies(staff);
        sessionGate(staff, deps);
        ticketRoutes(staff, deps, actions);
        caseRoutes(staff, deps, actions);
        fleetRoutes(staff, deps);
        contentRoutes(staff, deps, actions);
        await bullBoard(staff, deps.hub);
        staff.post('/lang', async (req, reply) => {
          const lang = field(req.body, 'lang');
          if (isLocale(lang)) await deps.store.setLocale(staffOf(req).id, lang);
          return reply
            .code(303)
            .header('location', safeBack(field(req.body, 'back')))
            .send();
        });
        staff.post('/signout', async (req, reply) => {
          await deps.store.endSession(staffOf(req).id);
          clearCookie(reply, deps.secureCookies || req.protocol === 'https');
          return reply.code(303).header('location', `${SIGN_IN_PAGE}?ended=1`).send();
        });
        // Unknown /staff paths pass the gate first: without a session they redirect too.
        staff.setNotFoundHandler((_req, reply) =>
          reply.code(404).send({ error: { code: 'not_found', message: 'No such page' } }),
        );
      },
      { prefix: '/staff' },
    );
  };
}
