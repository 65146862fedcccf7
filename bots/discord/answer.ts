// How a Routed outcome is answered on a Discord interaction: within the 3 s deadline (deferring
// slower work), as a reply, an update of the pressed message, a toast or a modal.
import { MessageFlags } from 'discord.js';
import type { Routed } from '../shared/router';
import type { ReplyClock } from '../shared/latency';
import type { Answerable } from './inbound';
import { buildModal } from './modal';
import { NO_PINGS, renderDiscord, renderInteraction } from './render';

/** Interactions must be answered within 3 s; slower work is deferred first. */
const DEFER_AFTER_MS = 1_500;

/** Answers within Discord's 3 s: the outcome if it is ready, else a deferral and then the outcome. */
export async function answerInteraction(
  i: Answerable,
  work: Promise<Routed>,
  clock: ReplyClock,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'defer'>(
    (resolve) => (timer = setTimeout(() => resolve('defer'), DEFER_AFTER_MS)),
  );
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  const component = i.isButton() || (i.isModalSubmit() && i.isFromMessage());
  if (first !== 'defer') return renderOutcome(i, first, false, clock);
  if (component) await i.deferUpdate();
  else await i.deferReply({ flags: MessageFlags.Ephemeral });
  return renderOutcome(i, await work, true, clock);
}

async function renderOutcome(
  i: Answerable,
  routed: Routed,
  deferred: boolean,
  clock: ReplyClock,
): Promise<void> {
  // Rendering below is synchronous up to the first REST call: the answer leaves now.
  clock.out();
  const o = routed.outcome;
  const component = i.isButton() || (i.isModalSubmit() && i.isFromMessage());
  const sayEphemeral = async (content: string) => {
    const msg = { content, allowedMentions: NO_PINGS, flags: MessageFlags.Ephemeral as const };
    if (!deferred) await i.reply(msg);
    else if (component) await i.followUp(msg);
    else await i.editReply({ content, allowedMentions: NO_PINGS });
  };
  switch (o.kind) {
    case 'modal':
      if (deferred || i.isModalSubmit()) return sayEphemeral('…');
      await i.showModal(
        buildModal(routed.modal!.decl, routed.modal!.customId, routed.locale, routed.modal!.prefill),
      );
      return;
    case 'toast':
      return sayEphemeral(o.text);
    case 'none':
      if (!deferred) {
        if (component) await i.deferUpdate();
        else await i.reply({ content: '✓', flags: MessageFlags.Ephemeral });
      }
      return;
    case 'update': {
      if (!component) break;
      const [head] = renderDiscord(o.reply);
      const edit = {
        content: head!.content ?? '',
        components: head!.components ?? [],
        allowedMentions: NO_PINGS,
      };
      if (deferred) await i.editReply(edit);
      else if (i.isButton()) await i.update(edit);
      else if (i.isModalSubmit()) await i.update(edit);
      return;
    }
    case 'reply':
      break;
  }
  const reply = o.kind === 'reply' || o.kind === 'update' ? o.reply : null;
  if (!reply) return;
  const visible = o.kind === 'reply' && o.visibility === 'visible';
  const [head, ...rest] = renderInteraction(reply, visible ? 'visible' : 'ephemeral');
  if (!deferred) await i.reply(head!);
  else if (component) await i.followUp(head!);
  else {
    const { flags: _flags, ...edit } = head!;
    await i.editReply(edit as Parameters<typeof i.editReply>[0]);
  }
  for (const m of rest) await i.followUp(m);
}
