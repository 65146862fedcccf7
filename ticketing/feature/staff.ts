// Staff commands of the tickets feature: note, claim/unclaim, assign, priority, tags,
// snippets, stats and the panel. Each is a staff-permission command, so the router checks
// it and writes its one audit row (the domain hands its details there: routerAudits).
import type { CommandDecl, FeatureContext } from '../../core/feature';
import type { ChatPlatform } from '../../core/conversation';
import type { StaffRole } from '../../core/feature';
import type { MessageKey } from '../../core/i18n';
import { t } from '../../core/i18n';
import { reply, text, title } from '../../core/reply';
import { TicketError } from '../errors';
import type { Ticketing } from '../index';
import { button } from '../render';
import { renderStats, statsFor } from '../stats';
import { actorOf, refusals, sourceKey, routerAudits, say, ticketHere } from './context';

export const categoryKey = (id: string) => `tickets.category.${id}` as MessageKey;

export interface StaffDeps {
  /** Staff roles of any platform user (bots/shared/roles.ts): an assignee must be staff. */
  rolesOf?: (platform: ChatPlatform, platformUserId: string) => Promise<ReadonlySet<StaffRole>>;
}

export function staffCommands(tk: Ticketing, deps: StaffDeps): CommandDecl[] {
  const inTicket = async (ctx: FeatureContext) => {
    const ticket = await ticketHere(tk, ctx);
    if (!ticket) throw new TicketError('not_found');
    return ticket;
  };
  const staffCommand = (
    name: string,
    descriptionKey: MessageKey,
    params: CommandDecl['params'],
    run: (ctx: FeatureContext, args: Record<string, string>) => Promise<ReturnType<typeof reply>>,
  ): CommandDecl => ({
    name,
    descriptionKey,
    permission: 'staff',
    discord: { group: 'ticket', name: name.replace(/^ticket_/, '').replace('_', '-') },
    ...(params ? { params } : {}),
    handler: (ctx, args) => refusals(ctx, () => run(routerAudits(ctx), args)),
  });

  /**
   * The staff member named by `@username`, a Discord mention or a platform id, on the
   * assigning staff member's platform; they must be staff there now (not just known).
   */
  const assignee = async (ctx: FeatureContext, raw: string) => {
    const platform = ctx.actor.identity.platform;
    const who = raw.trim().replace(/^<@!?(\d+)>$/, '$1');
    const refuse = () => new TicketError('bad_assignee', { who: raw.trim().slice(0, 40) });
    if (!who) throw refuse();
    const identity = await tk.prisma.identity.findFirst({
      where: {
        platform,
        OR: [{ platformUserId: who }, { username: { equals: who.replace(/^@/, ''), mode: 'insensitive' } }],
      },
      orderBy: { lastActiveAt: 'desc' },
    });
    if (!identity || !deps.rolesOf) throw refuse();
    const roles = await deps.rolesOf(platform, identity.platformUserId);
    if (!roles.has('staff')) throw refuse();
    return { identityId: identity.id, name: identity.username ?? identity.platformUserId };
  };

  return [
    staffCommand(
      'note',
      'tickets.help.note',
      [{ name: 'text', descriptionKey: 'tickets.help.text', rest: true, required: true, maxLength: 4000 }],
      async (ctx, args) => {
        const ticket = await inTicket(ctx);
        await tk.relay.note(actorOf(ctx), ticket, { sourceKey: sourceKey(ctx), text: args.text ?? '' });
        return say(ctx, 'tickets.staff.noteSaved');
      },
    ),
    staffCommand('claim', 'tickets.help.claim', undefined, async (ctx) => {
      const ticket = await tk.lifecycle.claim(actorOf(ctx), (await inTicket(ctx)).id);
      return say(ctx, 'tickets.staff.claimed', { name: ticket.assigneeName ?? '', number: ticket.number });
    }),
    staffCommand('unclaim', 'tickets.help.unclaim', undefined, async (ctx) => {
      const ticket = await tk.lifecycle.unclaim(actorOf(ctx), (await inTicket(ctx)).id);
      return say(ctx, 'tickets.staff.unclaimed', { number: ticket.number });
    }),
    staffCommand(
      'assign',
      'tickets.help.assign',
      [{ name: 'who', descriptionKey: 'tickets.help.who', required: true, maxLength: 64 }],
      async (ctx, args) => {
        const ticket = await inTicket(ctx);
        const who = await assignee(ctx, args.who ?? '');
        const t2 = await tk.lifecycle.assign(actorOf(ctx), ticket.id, who);
        return say(ctx, 'tickets.staff.assigned', { number: t2.number, name: t2.assigneeName ?? '' });
      },
    ),
    staffCommand(
      'priority',
      'tickets.help.priority',
      [
        {
          name: 'level',
          descriptionKey: 'tickets.help.priority',
          required: true,
          maxLength: 10,
          choices: ['low', 'normal', 'high', 'urgent'].map((value) => ({ value })),
        },
      ],
      async (ctx, args) => {
        const ticket = await tk.lifecycle.setPriority(
          actorOf(ctx),
          (await inTicket(ctx)).id,
          args.level ?? '',
        );
        return say(ctx, 'tickets.staff.priority', {
          number: ticket.number,
          priority: ticket.priority.toLowerCase(),
        });
      },
    ),
    staffCommand(
      'tags',
      'tickets.help.tags',
      [{ name: 'tags', descriptionKey: 'tickets.help.tags', rest: true, required: true, maxLength: 200 }],
      async (ctx, args) => {
        const ticket = await tk.lifecycle.setTags(actorOf(ctx), (await inTicket(ctx)).id, args.tags ?? '');
        return say(ctx, 'tickets.staff.tags', {
          number: ticket.number,
          tags: ticket.tags.join(', ') || '—',
        });
      },
    ),
    staffCommand(
      'snippet',
      'tickets.help.snippet',
      [{ name: 'name', descriptionKey: 'tickets.help.snippet', required: true, maxLength: 32 }],
      async (ctx, args) => {
        const ticket = await inTicket(ctx);
        await tk.relay.snippet(actorOf(ctx), ticket, args.name ?? '', sourceKey(ctx));
        return { kind: 'none' } as never;
      },
    ),
    staffCommand(
      'snippet_save',
      'tickets.help.snippetSave',
      [{ name: 'text', descriptionKey: 'tickets.help.text', rest: true, required: true, maxLength: 2100 }],
      async (ctx, args) => {
        const s = await tk.snippets.save(actorOf(ctx), args.text ?? '');
        return say(ctx, 'tickets.staff.snippetSaved', { name: s.name });
      },
    ),
    staffCommand('ticket_stats', 'tickets.help.stats', undefined, async (ctx) =>
      renderStats(await statsFor(tk.gate, tk.prisma, tk.pool, actorOf(ctx))),
    ),
    {
      name: 'ticket_panel',
      descriptionKey: 'tickets.help.panel',
      permission: 'staff',
      telegram: false,
      discord: { group: 'ticket', name: 'panel' },
      handler: (ctx) =>
        refusals(ctx, async () => {
          const panel = reply(
            [title(t(ctx.locale, 'tickets.panel.title')), text(t(ctx.locale, 'tickets.panel.body'))],
            {
              buttons: tk.categories.list.map((c) => [
                button('panel', c.id, t(ctx.locale, categoryKey(c.id))),
              ]),
            },
          );
          const o = ctx.origin;
          if (o.kind === 'dm') return say(ctx, 'tickets.error.no_ticket_here');
          const existing = await tk.prisma.ticketPanel.findFirst({
            where: { platform: o.platform, ref: { path: ['chatId'], equals: o.chatId } },
          });
          // Editable after posting (discord-tickets #362): the same command refreshes it in place.
          const prior = existing?.ref as
            { platform: 'DISCORD'; chatId: string; messageId: string } | undefined;
          const posted = prior
            ? await ctx.conversation.edit(prior, panel)
            : await ctx.conversation.post({ kind: 'channel', platform: o.platform, chatId: o.chatId }, panel);
          if (posted.ok && !existing)
            await tk.prisma.ticketPanel.create({
              data: {
                platform: o.platform,
                ref: { ...posted.value },
                title: 'panel',
                body: '',
                categories: tk.categories.list.map((c) => c.id),
                createdById: ctx.actor.identity.id,
              },
            });
          ctx.auditAs({ subjectType: 'panel', subjectId: o.chatId });
          return say(ctx, 'tickets.panelPosted');
        }),
    },
  ];
}
