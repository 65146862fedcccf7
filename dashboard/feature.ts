// The dashboard feature module: staff send /dashboard and get a one-time sign-in link to
// the staff pages (web/staff). The permission is declared here, so the router checks it
// and audits the issue like any staff action; non-staff get the layer's refusal, no link.
import { defineFeature, type FeatureModule } from '../core/feature';
import { reply, text } from '../core/reply';
import { LINK_TTL_SECONDS, type DashboardStore } from './store';

export const DASHBOARD_FEATURE_ID = 'dashboard';

/** The sign-in link's path on PUBLIC_BASE_URL (the token follows). */
export const SIGN_IN_PATH = '/signin/';

export function dashboardFeature(deps: { store: DashboardStore; baseUrl: string }): FeatureModule {
  return defineFeature({
    id: DASHBOARD_FEATURE_ID,
    commands: [
      {
        name: 'dashboard',
        descriptionKey: 'dashboard.help',
        permission: 'staff',
        handler: async (ctx) => {
          const id = ctx.actor.identity;
          const token = await deps.store.issueLink({
            identityId: id.id,
            userId: id.userId,
            platform: id.platform,
            platformUserId: id.platformUserId,
            name: id.username ? `@${id.username}` : ctx.actor.displayName.slice(0, 64),
            locale: ctx.locale,
          });
          ctx.auditAs({ subjectType: 'identity', subjectId: id.id, details: { what: 'sign-in link' } });
          // Private: asked in a group, the link goes by DM (the group sees only a note).
          return reply(
            [
              text(ctx.t('dashboard.link', { minutes: LINK_TTL_SECONDS / 60 })),
              text(`${deps.baseUrl}${SIGN_IN_PATH}${token}`),
            ],
            { private: true },
          );
        },
      },
    ],
  });
}
