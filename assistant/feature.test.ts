// The feature module's declarations and handlers against the real database and Redis,
// with a plain FeatureContext (the conversation layer's e2e tests drive the bots).
import IORedis from 'ioredis';
import { allows, asOutcome, type FeatureContext, type StaffRole } from '../core/feature';
import { t, type Locale, type MessageKey, type Params } from '../core/i18n';
import type { Reply } from '../core/reply';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { assistantFeature } from './feature';
import { KNOWLEDGE_DIR } from './retrieval/text';
import { Assistant } from './service';

function context(
  userId: string,
  locale: Locale,
  roles: StaffRole[] = [],
): FeatureContext & { audits: unknown[] } {
  const audits: unknown[] = [];
  return {
    feature: 'assistant',
    actor: {
      identity: {
        id: userId,
        userId,
        platform: 'TELEGRAM',
        platformUserId: '1',
        username: null,
        locale,
        localeIsChosen: false,
        dmChatId: null,
        dmReachable: true,
      },
      displayName: 'x',
      roles: new Set(roles),
    },
    locale,
    t: (key: MessageKey, params?: Params) => t(locale, key, params),
    origin: { kind: 'dm', platform: 'TELEGRAM', chatId: '1' },
    here: { kind: 'dm', platform: 'TELEGRAM', platformUserId: '1' },
    conversation: {} as FeatureContext['conversation'],
    dialogue: { start: async () => {}, end: async () => {}, current: async () => null },
    auditAs: (note) => audits.push(note),
    audits,
  };
}

const shown = (r: unknown) => {
  const o = asOutcome(r as Reply);
  return o.kind === 'reply'
    ? o.reply.blocks.map((b) => ('text' in b ? b.text : b.items.join('\n'))).join('\n')
    : '';
};

describe('assistant feature module', () => {
  let tdb: TestDatabase;
  let redis: IORedis;
  const prefix = testPrefix();
  let feature: ReturnType<typeof assistantFeature>;
  let userId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    redis = new IORedis(TEST_REDIS_URL);
    const assistant = new Assistant({ prisma: tdb.db.prisma, pool: tdb.db.pool, redis, prefix });
    await assistant.importDir(KNOWLEDGE_DIR);
    feature = assistantFeature({ assistant });
    userId = (await tdb.db.prisma.user.create({ data: {} })).id;
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(prefix);
    await tdb.drop();
  });

  const command = (name: string) => feature.commands!.find((c) => c.name === name)!;

  it('declares /ask and /points for everyone, /kb for staff only, and the DM holder last', () => {
    expect(command('ask').permission).toBe('everyone');
    expect(command('points').permission).toBe('everyone');
    for (const name of ['kb', 'kb_publish', 'kb_history']) {
      expect(command(name).permission).toBe('staff');
      expect(allows(command(name).permission, new Set())).toBe(false);
    }
    expect(feature.modals![0]!.permission).toBe('staff');
    expect(feature.holders![0]).toMatchObject({ order: 1000, where: ['dm'] });
  });

  it('answers /ask and DM text in the asker language with the source', async () => {
    const en = shown(await command('ask').handler(context(userId, 'en'), { question: 'when is the TGE?' }));
    expect(en).toContain('Source: TGE status and date history');
    const zh = shown(
      await feature.holders![0]!.offer(context(userId, 'zh'), {
        text: '代币什么时候上线',
        origin: { kind: 'dm', platform: 'TELEGRAM', chatId: '1' },
        message: { platform: 'TELEGRAM', chatId: '1', messageId: '5' },
      }),
    );
    expect(zh).toContain('来源：TGE 状态与日期变化');
  });

  it('refuses an unknown question and says how to reach staff', async () => {
    const r = shown(
      await command('ask').handler(context(userId, 'en'), { question: 'What will the token price be?' }),
    );
    expect(r).toContain("I don't know");
    expect(r).toContain('/support');
  });

  it('a staff publish changes the next answer at once, and is audited through the layer', async () => {
    const staff = context(userId, 'en', ['staff']);
    const entry = `publish\n---\nid: tge-status\nlang: en\ntitle: TGE announcement\nupdated: 2030-02-01\nsource: staff\n---\nThe TGE date will be announced by staff in this chat.`;
    const [action, ...rest] = entry.split('\n');
    const published = shown(await command('kb').handler(staff, { action: action!, text: rest.join('\n') }));
    expect(published).toContain('version 2');
    expect(staff.audits).toEqual([
      expect.objectContaining({ subjectType: 'kb_entry', subjectId: 'tge-status/en' }),
    ]);
    const next = shown(await command('ask').handler(context(userId, 'en'), { question: 'when is the TGE?' }));
    expect(next).toContain('The TGE date will be announced by staff in this chat.');
    expect(next).toContain('Source: TGE announcement (updated 2030-02-01)');
    const history = shown(await command('kb').handler(staff, { action: 'history', text: 'tge-status' }));
    expect(history).toContain('Versions of tge-status');
  });

  it('a bad entry is refused with localized reasons and changes nothing', async () => {
    const r = shown(
      await command('kb').handler(context(userId, 'zh', ['staff']), {
        action: 'publish',
        text: '---\nid: x\nlang: fr\n---\n',
      }),
    );
    expect(r).toContain('未发布任何内容');
    expect(r).toContain('字段 "lang" 无效');
  });
});
