// Ticket categories and their intake questions. The defaults below cover what GPU-network
// communities ask about; TICKETS_CATEGORIES_FILE replaces them with a JSON file of the same
// shape, so operators add, remove or reword categories without code.
import fs from 'node:fs';
import { z } from 'zod';
import type { Locale } from '../core/i18n';

/** Text in every locale we speak; English is required and is the fallback. */
const localized = z.object({ en: z.string().min(1).max(300), zh: z.string().min(1).max(300).optional() });
export type LocalizedText = z.infer<typeof localized>;

const question = z
  .object({
    id: z.string().regex(/^[a-z0-9_]{1,32}$/),
    /** `select` questions (a button per option / a select menu) or free text. */
    kind: z.enum(['text', 'select']),
    prompt: localized,
    options: z
      .array(z.object({ value: z.string().regex(/^[a-z0-9_-]{1,24}$/), label: localized }))
      .max(10)
      .optional(),
    required: z.boolean().default(true),
    maxLength: z.number().int().min(1).max(1000).default(500),
  })
  .refine((q) => q.kind === 'text' || (q.options?.length ?? 0) >= 2, {
    message: 'a select question needs at least two options',
  });

const category = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,24}$/),
  label: localized,
  /** At most four: a Discord modal holds five fields and the description takes one. */
  questions: z.array(question).max(4).default([]),
  /** Staff /close asks the user to confirm instead of closing at once (discord-tickets #406). */
  closeRequest: z.boolean().default(false),
  /** Tags put on every ticket of the category. */
  tags: z.array(z.string().max(32)).max(5).default([]),
  priority: z.enum(['LOW', 'NORMAL', 'HIGH', 'URGENT']).default('NORMAL'),
});

export const categoriesSchema = z
  .array(category)
  .min(1)
  .max(20)
  .refine((list) => new Set(list.map((c) => c.id)).size === list.length, {
    message: 'category ids must be unique',
  });

export type Category = z.infer<typeof category>;
export type Question = z.infer<typeof question>;

const nodeQuestion: z.input<typeof question> = {
  id: 'node_id',
  kind: 'text',
  prompt: { en: 'Which node id is it about? (copy it in full)', zh: '是哪个节点 ID？（请完整复制）' },
  maxLength: 128,
};

export const DEFAULT_CATEGORIES: Category[] = categoriesSchema.parse([
  {
    id: 'setup',
    label: { en: 'Setup and installation', zh: '安装与设置' },
    questions: [
      {
        id: 'os',
        kind: 'select',
        prompt: { en: 'Which system does the worker run on?', zh: '节点运行在哪个系统上？' },
        options: [
          { value: 'linux', label: { en: 'Linux', zh: 'Linux' } },
          { value: 'windows', label: { en: 'Windows', zh: 'Windows' } },
          { value: 'macos', label: { en: 'macOS', zh: 'macOS' } },
        ],
      },
    ],
  },
  {
    id: 'node-offline',
    label: { en: 'Node offline', zh: '节点离线' },
    questions: [nodeQuestion],
    priority: 'HIGH',
  },
  {
    id: 'points',
    label: { en: 'Points and rewards', zh: '积分与奖励' },
    questions: [],
    closeRequest: true,
  },
  {
    id: 'wallet',
    label: { en: 'Wallet and linking', zh: '钱包与绑定' },
    questions: [],
  },
  {
    id: 'dispute',
    label: { en: 'Node claim dispute', zh: '节点归属争议' },
    questions: [nodeQuestion],
    tags: ['dispute'],
  },
  { id: 'other', label: { en: 'Something else', zh: '其他问题' }, questions: [] },
]);

export function localize(text: LocalizedText, locale: Locale | string): string {
  return (locale === 'zh' ? text.zh : undefined) ?? text.en;
}

/** The catalog of categories in use; unknown ids are refused, not guessed. */
export class Categories {
  private readonly byId: Map<string, Category>;

  constructor(readonly list: Category[] = DEFAULT_CATEGORIES) {
    this.byId = new Map(list.map((c) => [c.id, c]));
  }

  get(id: string | null | undefined): Category | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  /** A category named by id, by its number in the list (1-based) or by its label, as typed in a chat. */
  match(input: string): Category | undefined {
    const s = input.trim().toLowerCase();
    if (!s) return undefined;
    const n = Number(s);
    if (Number.isInteger(n) && n >= 1 && n <= this.list.length) return this.list[n - 1];
    return (
      this.byId.get(s) ??
      this.list.find((c) => c.label.en.toLowerCase() === s || c.label.zh?.toLowerCase() === s)
    );
  }

  static fromFile(file: string): Categories {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`TICKETS_CATEGORIES_FILE ${file}: ${(err as Error).message}`);
    }
    const parsed = categoriesSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`TICKETS_CATEGORIES_FILE ${file}: ${first?.path.join('.')}: ${first?.message}`);
    }
    return new Categories(parsed.data);
  }
}
