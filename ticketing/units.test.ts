// Pure parts: categories (defaults and operator files), home routing, configuration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../core/config';
import { Categories, DEFAULT_CATEGORIES } from './categories';
import { homeName, homePlatformFor } from './home';
import { settingsFromConfig } from './settings';
import { parseTags } from './state';

describe('categories', () => {
  it('ships setup, node offline, points, wallet, dispute and other, each with its questions', () => {
    expect(DEFAULT_CATEGORIES.map((c) => c.id)).toEqual([
      'setup',
      'node-offline',
      'points',
      'wallet',
      'dispute',
      'other',
    ]);
    const c = new Categories();
    expect(c.match('2')?.id).toBe('node-offline');
    expect(c.match('Points and rewards')?.id).toBe('points');
    expect(c.match('积分与奖励')?.id).toBe('points');
    expect(c.match('7')).toBeUndefined();
  });

  it('loads an operator file and refuses a bad one with the reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cats-'));
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(
      good,
      JSON.stringify([
        {
          id: 'billing',
          label: { en: 'Billing' },
          questions: [
            {
              id: 'plan',
              kind: 'select',
              prompt: { en: 'Plan?' },
              options: [
                { value: 'a', label: { en: 'A' } },
                { value: 'b', label: { en: 'B' } },
              ],
            },
          ],
          closeRequest: true,
        },
      ]),
    );
    const c = Categories.fromFile(good);
    expect(c.get('billing')).toMatchObject({
      closeRequest: true,
      priority: 'NORMAL',
      questions: [{ required: true }],
    });
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify([
        { id: 'x', label: { en: 'X' }, questions: [{ id: 'q', kind: 'select', prompt: { en: 'Q' } }] },
      ]),
    );
    expect(() => Categories.fromFile(bad)).toThrow(/select question needs at least two options/);
  });
});

describe('home routing (TICKETS_HOME)', () => {
  const both = new Set(['TELEGRAM', 'DISCORD'] as const);
  it('own keeps the platform; discord/telegram send everything there when it has a staff place', () => {
    expect(homePlatformFor('TELEGRAM', 'own', both)).toBe('TELEGRAM');
    expect(homePlatformFor('TELEGRAM', 'discord', both)).toBe('DISCORD');
    expect(homePlatformFor('DISCORD', 'telegram', both)).toBe('TELEGRAM');
    expect(homePlatformFor('TELEGRAM', 'discord', new Set(['TELEGRAM'] as const))).toBe('TELEGRAM');
    expect(homePlatformFor('DISCORD', 'own', new Set(['TELEGRAM'] as const))).toBe('TELEGRAM');
  });
  it('names threads with the number first, without control characters, within 100 characters', () => {
    expect(homeName(42, 'Node offline', 'Ann\u0007')).toBe('#42 · Node offline · Ann');
    expect(homeName(1, 'x', 'y'.repeat(300))).toHaveLength(100);
  });
});

describe('configuration', () => {
  const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x' };
  it('reads ticket settings with defaults', () => {
    const s = settingsFromConfig(parseConfig(base));
    expect(s).toMatchObject({
      maxOpenPerUser: 3,
      perHour: 5,
      idleWarnAfterMs: 48 * 3_600_000,
      reopenWindowMs: 7 * 86_400_000,
    });
    const custom = settingsFromConfig(
      parseConfig({
        ...base,
        TICKETS_SLA: 'urgent=30s/2m, low=1d/3d',
        TICKETS_IDLE_WARN_AFTER: '90s',
        TICKETS_HOME: 'discord',
      }),
    );
    expect(custom.sla.URGENT).toEqual({ firstMs: 30_000, resolveMs: 120_000 });
    expect(custom.sla.LOW).toEqual({ firstMs: 86_400_000, resolveMs: 3 * 86_400_000 });
    expect(custom.idleWarnAfterMs).toBe(90_000);
  });
  it('names each bad value', () => {
    expect(() =>
      parseConfig({
        ...base,
        TICKETS_SLA: 'soon=1h',
        TICKETS_HOME: 'slack',
        TICKETS_REOPEN_WINDOW: 'forever',
      }),
    ).toThrow(
      /TICKETS_HOME: must be own, discord or telegram[\s\S]*TICKETS_SLA: "soon=1h" must be[\s\S]*TICKETS_REOPEN_WINDOW: must be a duration/,
    );
  });
  it('tags are short words', () => {
    expect(parseTags('#GPU, driver  gpu')).toEqual(['gpu', 'driver']);
    expect(() => parseTags('bad!')).toThrow();
  });
});
