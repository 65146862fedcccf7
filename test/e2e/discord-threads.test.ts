// Discord MessageCreate in threads the bot owns: a member's message in a private thread the
// bot opened (through the conversation port) reaches the feature holding threads, with its
// text (the sandbox, like Discord, blanks message content without the Message Content
// intent, so the text arriving proves the bot asks for it); the holder's answer is posted in
// that thread. Chatter in an ordinary channel, without a mention, reaches nobody.
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { defineFeature, type InboundText } from '../../core/feature';
import { reply, text } from '../../core/reply';
import { startTestApp, type TestApp } from '../support/app';

const heard: InboundText[] = [];
const relay = defineFeature({
  id: 'relay',
  holders: [
    {
      name: 'thread',
      order: 150,
      where: ['thread'],
      permission: 'everyone',
      offer: async (_ctx, input) => {
        heard.push(input);
        return reply([text(`relayed: ${input.text}`)]);
      },
    },
  ],
});

describe('Discord messages in bot-owned threads (e2e)', () => {
  let dc: DiscordSandbox;
  let app: TestApp;

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    app = await startTestApp(
      {
        DISCORD_TOKEN: dc.token,
        DISCORD_APPLICATION_ID: dc.applicationId,
        DISCORD_GUILD_ID: dc.guildId,
        DISCORD_API_BASE: dc.apiBase,
      },
      { roles: ['bots'], features: [relay] },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
  });

  it('a message in a private thread the bot opened reaches the holder; the answer lands in the thread', async () => {
    const member = dc.user('440000000000000001', { username: 'miner' });
    const opened = await app.runtime.app.conversation.openThread('DISCORD', {
      parentChatId: dc.supportChannelId,
      name: 'case-1',
      memberPlatformUserIds: [member.id],
    });
    if (!opened.ok) throw new Error('could not open the thread');
    const threadId = opened.value.threadId;
    expect(dc.threads().find((t) => t.id === threadId)).toMatchObject({
      ownerId: dc.botUserId,
      type: 'private',
    });

    // Ignored first: plain chatter in a guild channel (no mention, not a bot thread).
    await member.sendMessage(dc.generalChannelId, 'just chatting');
    await member.sendMessage(threadId, 'my node 7f3a is offline since 10:00');
    const answer = await dc.channel(threadId).nextMessage({ fromBot: true, timeoutMs: 10_000 });
    expect(answer.content).toBe('relayed: my node 7f3a is offline since 10:00');

    // Gateway events arrive in order: by now the chatter was seen, and was not offered.
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      text: 'my node 7f3a is offline since 10:00',
      origin: { kind: 'thread', platform: 'DISCORD', chatId: dc.supportChannelId, threadId },
      message: { platform: 'DISCORD', threadId },
    });
    expect(
      dc
        .channel(dc.generalChannelId)
        .messages()
        .filter((m) => m.author.id === dc.botUserId),
    ).toHaveLength(0);
  });
});
