// The conversation port against both emulators: open a Telegram forum topic and a Discord
// private thread, post a card, edit it in place (one message, edited, not two), send a
// file, close. Calls go through the paced port (shared Redis limits, retries).
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { PacedConversation } from '../../bots/shared/port';
import { TelegramConversation } from '../../bots/telegram/conversation';
import { DiscordConversation } from '../../bots/discord/conversation';
import type { MessageRef, ThreadRef } from '../../core/conversation';
import { reply, text } from '../../core/reply';
import { QueueHub } from '../../core/queue';
import { TEST_REDIS_URL } from '../support/env';
import { deleteKeys, testPrefix } from '../support/redis';

const unwrap = <T>(r: { ok: true; value: T } | { ok: false }): T => {
  if (!r.ok) throw new Error(`port call failed: ${JSON.stringify(r)}`);
  return r.value;
};

describe('conversation port (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let hub: QueueHub;
  let port: PacedConversation;
  const prefix = testPrefix();

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: { timeScale: 0.01, retryAfterSeconds: 0.01 } });
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    port = new PacedConversation(
      [
        TelegramConversation.fromToken(tg.token, tg.apiRoot),
        DiscordConversation.fromToken(dc.token, dc.apiBase),
      ],
      hub.redis,
      prefix,
    );
  });
  afterAll(async () => {
    await hub.close();
    await deleteKeys(prefix);
    await dc.stop();
    await tg.stop();
  });

  it('Telegram: a topic, a card edited in place, a file, then closed', async () => {
    const group = tg.group(-1005001, { title: 'staff', isForum: true });
    const topic: ThreadRef = unwrap(
      await port.openThread('TELEGRAM', { parentChatId: String(group.id), name: 'Ticket #1' }),
    );
    expect(group.topics().map((t) => t.name)).toEqual(['Ticket #1']);
    const ref: MessageRef = unwrap(
      await port.post(
        { kind: 'thread', ...topic },
        reply([text('card v1')], { buttons: [[{ id: 't:claim:1', label: 'claim' }]] }),
      ),
    );
    expect(ref).toMatchObject({ platform: 'TELEGRAM', chatId: String(group.id), threadId: topic.threadId });
    // The stored reference is plain JSON.
    unwrap(await port.edit(JSON.parse(JSON.stringify(ref)), reply([text('card v2, claimed')])));
    const inTopic = group.messages({ threadId: Number(topic.threadId) }).filter((m) => m.from?.is_bot);
    expect(inTopic.map((m) => m.text)).toEqual(['card v2, claimed']);
    expect(inTopic[0]!.reply_markup).toBeUndefined();
    unwrap(
      await port.sendFile(
        { kind: 'thread', ...topic },
        { name: 't.txt', data: Buffer.from('hi'), contentType: 'text/plain' },
        'transcript',
      ),
    );
    unwrap(await port.closeThread(topic));
    expect(group.topics()[0]!.closed).toBe(true);
  });

  it('Discord: a private thread with its member, a card edited in place, then archived', async () => {
    const u = dc.user('430000000000000001', { username: 'tix' });
    const thread = unwrap(
      await port.openThread('DISCORD', {
        parentChatId: dc.supportChannelId,
        name: 'ticket-1',
        memberPlatformUserIds: [u.id],
      }),
    );
    const info = dc.threads().find((t) => t.id === thread.threadId)!;
    expect(info).toMatchObject({ type: 'private', parentId: dc.supportChannelId });
    expect(info.members).toContain(u.id);
    const ref = unwrap(await port.post({ kind: 'thread', ...thread }, reply([text('card v1')])));
    expect(ref).toMatchObject({
      platform: 'DISCORD',
      chatId: dc.supportChannelId,
      threadId: thread.threadId,
    });
    unwrap(await port.edit(ref, reply([text('card v2')])));
    const msgs = dc.channel(thread.threadId).messages();
    expect(msgs.map((m) => m.content)).toEqual(['card v2']);
    unwrap(await port.closeThread(thread, { lock: true }));
    expect(dc.threads().find((t) => t.id === thread.threadId)).toMatchObject({
      archived: true,
      locked: true,
    });
  });

  it('a 429 from the platform is waited out and retried, not reported', async () => {
    tg.failNext('sendMessage', { status: 429, retryAfter: 0.05 }, 1);
    const ref = unwrap(
      await port.post(
        { kind: 'channel', platform: 'TELEGRAM', chatId: '-1005001' },
        reply([text('after 429')]),
      ),
    );
    expect(ref.messageId).toBeTruthy();
    dc.failNext({ method: 'POST', path: '/channels/:id/messages' }, { status: 502 }, 1);
    unwrap(
      await port.post(
        { kind: 'channel', platform: 'DISCORD', chatId: dc.generalChannelId },
        reply([text('after 502')]),
      ),
    );
    expect(dc.channel(dc.generalChannelId).messages().at(-1)?.content).toBe('after 502');
  });
});
