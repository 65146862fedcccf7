// How a Routed outcome is sent on Telegram: replies (private ones to the asker's DM, with a
// note in the group), edits of the pressed message, toasts; forms in place of modals.
import { GrammyError, InputFile, type Context } from 'grammy';
import type { Reply } from '../../core/reply';
import type { Inbound, Routed, Router } from '../shared/router';
import { renderTelegram } from './render';

async function sendTo(api: Context['api'], chatId: number, reply: Reply, threadId?: number): Promise<void> {
  const thread = threadId ? { message_thread_id: threadId } : {};
  for (const msg of renderTelegram(reply)) {
    await api.sendMessage(chatId, msg.text, {
      entities: msg.entities,
      ...(msg.reply_markup ? { reply_markup: msg.reply_markup } : {}),
      ...thread,
      link_preview_options: { is_disabled: true },
    });
  }
  if (reply.attachment?.contentType.startsWith('image/')) {
    await api.sendPhoto(chatId, new InputFile(reply.attachment.data, reply.attachment.name), thread);
  } else if (reply.attachment) {
    await api.sendDocument(chatId, new InputFile(reply.attachment.data, reply.attachment.name), thread);
  }
}

async function send(ctx: Context, reply: Reply, inb: Inbound): Promise<void> {
  // Tokens, wallets and node lists asked for in a group go to the asker's private chat.
  if (reply.private && ctx.chat && ctx.chat.type !== 'private' && ctx.from) {
    const chatId = ctx.chat.id;
    const notice = async (text: string | undefined) => {
      if (text) await sendTo(ctx.api, chatId, { blocks: [{ kind: 'text', text }] }, threadOf(inb));
    };
    try {
      await sendTo(ctx.api, ctx.from.id, reply);
      await notice(reply.groupNotices?.sentToDm);
    } catch {
      // 403: the user never opened a chat with the bot.
      await notice(reply.groupNotices?.openDmFirst);
    }
    return;
  }
  await sendTo(ctx.api, ctx.chat!.id, reply, threadOf(inb));
}

const threadOf = (inb: Inbound) => (inb.origin.kind === 'thread' ? Number(inb.origin.threadId) : undefined);

/** Renders an outcome. Callback answers are sent by the caller (exactly once). */
export async function respond(ctx: Context, routed: Routed, inb: Inbound, router: Router): Promise<void> {
  const o = routed.outcome;
  switch (o.kind) {
    case 'modal':
      // No modals on Telegram: the same form is asked one field at a time.
      return respond(ctx, await router.forms.start(inb, routed.modal!), inb, router);
    case 'reply':
      return send(ctx, o.reply, inb);
    case 'update': {
      const msg = ctx.callbackQuery?.message;
      if (!msg) return send(ctx, o.reply, inb);
      const [first] = renderTelegram(o.reply);
      try {
        await ctx.api.editMessageText(msg.chat.id, msg.message_id, first!.text, {
          entities: first!.entities,
          ...(first!.reply_markup ? { reply_markup: first!.reply_markup } : {}),
          link_preview_options: { is_disabled: true },
        });
      } catch (err) {
        if (!(err instanceof GrammyError && /message is not modified/.test(err.description))) throw err;
      }
      return;
    }
    case 'toast':
      // Not from a callback (a refused command): say it as a private note.
      if (!ctx.callbackQuery)
        await send(ctx, { blocks: [{ kind: 'text', text: o.text }], private: true }, inb);
      return;
    case 'none':
      return;
  }
}
