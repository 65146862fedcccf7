// The moderation feature module: `/report` (Telegram: with arguments, or guided; Discord:
// `/report node`, a modal), `/appeal`, moderators' `/reportbar` and `/reportunbar`, the case
// card buttons (moderators only, checked by the layer before any handler runs) and the
// holder that takes a reporter's answer to "ask for info". Handlers only translate between
// the conversation layer and the domain services; every rule lives in the services.
import type { PrismaClient } from '@prisma/client';
import { defineFeature, filesOf, type FeatureContext, type FeatureModule } from '../core/feature';
import type { ActionResult } from './actions';
import { FEATURE_ID } from './card';
import {
  actionAnswer,
  appealAs,
  attachmentOf,
  findUser,
  moderatorOf,
  nameOf,
  reportAnswer,
  reporterOf,
  say,
  toast,
} from './feature-answers';
import { MAX_REPORT_TEXT, parseCaseRef, parseReason, REASONS, type ModeratorActor } from './model';
import type { Moderation } from './service';
import type { MessageKey } from '../core/i18n';

/** Case-info answers come before a ticket relay (200) or the assistant (1000). */
export const CASE_INFO_HOLDER_ORDER = 150;

export function moderationFeature(deps: { moderation: Moderation; prisma: PrismaClient }): FeatureModule {
  const { moderation, prisma } = deps;
  const appeal = (ctx: FeatureContext, caseArg: string | undefined) => appealAs(moderation, ctx, caseArg);
  const button = (
    action: string,
    done: MessageKey,
    run: (n: number, actor: ModeratorActor) => Promise<ActionResult>,
  ) => ({
    action,
    permission: 'moderator' as const,
    handler: async (ctx: FeatureContext, id: string) => {
      const number = parseCaseRef(id);
      ctx.auditAs({ subjectType: 'moderation_case', subjectId: id.slice(0, 16), unchanged: true });
      if (number === null) return toast(ctx, 'moderation.act.notFound', { case: id.slice(0, 12) }, true);
      return actionAnswer(ctx, number, done, await run(number, moderatorOf(ctx)));
    },
  });
  return defineFeature({
    id: FEATURE_ID,
    discordGroups: [{ name: 'report', descriptionKey: 'help.report' }],
    commands: [
      {
        name: 'report',
        descriptionKey: 'help.report',
        permission: 'everyone',
        discord: false,
        params: [
          { name: 'node_id', descriptionKey: 'moderation.param.node', maxLength: 128 },
          {
            name: 'reason',
            descriptionKey: 'moderation.param.reason',
            rest: true,
            maxLength: MAX_REPORT_TEXT + 32,
          },
        ],
        handler: async (ctx, args) => {
          if (!args.node_id) return { kind: 'modal', action: 'report' };
          if (!args.reason) return say(ctx, 'moderation.report.usage');
          const [first = '', ...rest] = args.reason.trim().split(/\s+/);
          const reason = parseReason(first);
          const res = await moderation.intake.report({
            reporter: reporterOf(ctx),
            nodeId: args.node_id,
            reason: reason ?? 'OTHER',
            text: reason ? rest.join(' ') : args.reason,
            // A photo or document captioned with the command (Telegram).
            attachments: (ctx.files ?? []).map(attachmentOf),
          });
          return reportAnswer(ctx, res);
        },
      },
      {
        name: 'report_node',
        descriptionKey: 'help.report',
        permission: 'everyone',
        telegram: false,
        help: false,
        discord: { group: 'report', name: 'node' },
        handler: async () => ({ kind: 'modal', action: 'report' }),
      },
      {
        name: 'appeal',
        descriptionKey: 'moderation.help.appeal',
        permission: 'everyone',
        params: [{ name: 'case', descriptionKey: 'moderation.param.case', maxLength: 16 }],
        handler: async (ctx, args) => appeal(ctx, args.case),
      },
      {
        name: 'reportbar',
        descriptionKey: 'moderation.help.bar',
        permission: 'moderator',
        discord: { group: 'report', name: 'bar' },
        params: [
          { name: 'user', descriptionKey: 'moderation.param.user', required: true, maxLength: 64 },
          { name: 'reason', descriptionKey: 'moderation.param.barReason', rest: true, maxLength: 300 },
        ],
        handler: async (ctx, args) => {
          const who = (args.user ?? '').trim();
          // Usage errors and unknown users change nothing: no audit entry.
          ctx.auditAs({ subjectType: 'user', subjectId: who.slice(0, 64) || '-', unchanged: true });
          if (!who) return say(ctx, 'moderation.bar.usage');
          const userId = await findUser(prisma, who);
          if (!userId) return say(ctx, 'moderation.bar.unknown', { user: who.slice(0, 64) });
          const done = await moderation.standings.bar(userId, nameOf(ctx), args.reason?.trim() || null);
          if (done)
            ctx.auditAs({ subjectType: 'user', subjectId: userId, details: { barredFromReporting: true } });
          else ctx.auditAs({ subjectType: 'user', subjectId: userId, unchanged: true });
          return say(ctx, done ? 'moderation.bar.done' : 'moderation.bar.already', {
            user: who.slice(0, 64),
          });
        },
      },
      {
        name: 'reportunbar',
        descriptionKey: 'moderation.help.unbar',
        permission: 'moderator',
        discord: { group: 'report', name: 'unbar' },
        params: [{ name: 'user', descriptionKey: 'moderation.param.user', required: true, maxLength: 64 }],
        handler: async (ctx, args) => {
          const who = (args.user ?? '').trim();
          // Usage errors and unknown users change nothing: no audit entry.
          ctx.auditAs({ subjectType: 'user', subjectId: who.slice(0, 64) || '-', unchanged: true });
          if (!who) return say(ctx, 'moderation.bar.usage');
          const userId = await findUser(prisma, who);
          if (!userId) return say(ctx, 'moderation.bar.unknown', { user: who.slice(0, 64) });
          const done = await moderation.standings.unbar(userId);
          if (done)
            ctx.auditAs({ subjectType: 'user', subjectId: userId, details: { barredFromReporting: false } });
          else ctx.auditAs({ subjectType: 'user', subjectId: userId, unchanged: true });
          return say(ctx, done ? 'moderation.unbar.done' : 'moderation.unbar.none', {
            user: who.slice(0, 64),
          });
        },
      },
    ],
    modals: [
      {
        action: 'report',
        titleKey: 'moderation.modal.title',
        permission: 'everyone',
        fields: [
          {
            kind: 'text',
            name: 'node_id',
            labelKey: 'moderation.modal.node',
            style: 'short',
            required: true,
            maxLength: 128,
          },
          {
            kind: 'select',
            name: 'reason',
            labelKey: 'moderation.modal.reason',
            required: true,
            options: REASONS.map((r) => ({ value: r, labelKey: `moderation.reason.${r}` as MessageKey })),
          },
          {
            kind: 'text',
            name: 'details',
            labelKey: 'moderation.modal.details',
            style: 'paragraph',
            required: false,
            maxLength: MAX_REPORT_TEXT,
          },
          {
            kind: 'text',
            name: 'link',
            labelKey: 'moderation.modal.link',
            style: 'short',
            required: false,
            maxLength: 500,
          },
          // Discord: a File Upload in the modal; Telegram's guided flow: a photo or document.
          { kind: 'file', name: 'files', labelKey: 'moderation.modal.files', required: false, maxFiles: 5 },
        ],
        submit: async (ctx, values) => {
          const reason = REASONS.find((r) => r === values.reason) ?? 'OTHER';
          const link = (values.link ?? '').trim();
          if (link && !/^https:\/\/\S+$/i.test(link)) return say(ctx, 'moderation.report.badLink');
          const res = await moderation.intake.report({
            reporter: reporterOf(ctx),
            nodeId: values.node_id ?? '',
            reason,
            text: values.details ?? '',
            attachments: [
              ...filesOf(values, 'files').map(attachmentOf),
              ...(link ? [{ name: 'link', url: link }] : []),
            ],
          });
          return reportAnswer(ctx, res);
        },
      },
    ],
    buttons: [
      button('claim', 'moderation.act.claimed', (n, a) => moderation.actions.claim(n, a)),
      button('confirm', 'moderation.act.confirmed', (n, a) => moderation.actions.decide(n, a, 'confirm')),
      button('dismiss', 'moderation.act.dismissed', (n, a) => moderation.actions.decide(n, a, 'dismiss')),
      button('ask', 'moderation.act.asked', (n, a) => moderation.actions.askInfo(n, a)),
      button('escalate', 'moderation.act.escalated', (n, a) => moderation.actions.escalate(n, a)),
      // On the owner's outcome DM; the service checks they own a node of the confirmed case.
      { action: 'appeal', permission: 'everyone', handler: (ctx, id) => appeal(ctx, id) },
    ],
    holders: [
      {
        name: 'case-info',
        order: CASE_INFO_HOLDER_ORDER,
        where: ['dm'],
        permission: 'everyone',
        offer: async (ctx, input) => {
          const took = await moderation.actions.answerInfo(ctx.actor.identity.userId, input.text);
          return took ? say(ctx, 'moderation.info.thanks', { case: took.caseRef }) : null;
        },
      },
    ],
  });
}
