// The knowledge-base file format: Markdown with YAML front matter (`id`, `lang`, `title`,
// `updated`, `source`, optional `tags`), shared by `nodedesk kb import` and `/kb publish`.
// Problems come back as codes with parameters, so the CLI and each chat language can word
// them; nothing is written unless a file parses completely.
import crypto from 'node:crypto';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

export const KB_LANGS = ['en', 'zh'] as const;
export type KbLang = (typeof KB_LANGS)[number];

export interface KbMeta {
  /** Snapshot times the network announced (ISO), for the personal points answer. */
  snapshots?: string[];
  /** The current season's window (ISO dates). */
  seasonStart?: string;
  seasonEnd?: string;
}

export interface KbEntryInput {
  id: string;
  lang: KbLang;
  title: string;
  /** ISO date, YYYY-MM-DD. */
  updated: string;
  source: string;
  tags: string[];
  body: string;
  meta: KbMeta;
}

export type KbProblemCode = 'no_front_matter' | 'yaml' | 'missing' | 'invalid' | 'empty_body' | 'duplicate';

export interface KbProblem {
  code: KbProblemCode;
  /** The front-matter field concerned, when there is one. */
  field?: string;
  detail?: string;
}

export type ParseResult = { ok: true; entry: KbEntryInput } | { ok: false; problems: KbProblem[] };

const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v.trim()))
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), {
    message: 'must be an ISO date such as 2024-05-01',
  });
const isoTime = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString() : v.trim()))
  .refine((v) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v), {
    message: 'must be an ISO date or date-time such as 2024-05-01T00:00:00Z',
  })
  .transform((v) => new Date(/[T ]/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/.test(v) ? `${v}Z` : v).toISOString());

const frontMatterSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, { message: 'must be a slug: lower-case letters, digits and "-"' }),
  lang: z.enum(KB_LANGS, { message: 'must be en or zh' }),
  title: z.string().trim().min(1).max(200),
  updated: isoDate,
  source: z
    .string()
    .trim()
    .min(1)
    .refine((v) => v === 'staff' || /^https?:\/\/\S+$/.test(v), { message: 'must be a URL or "staff"' }),
  tags: z
    .union([z.array(z.union([z.string(), z.number()])), z.string()])
    .optional()
    .transform((v) =>
      (Array.isArray(v) ? v.map(String) : (v ?? '').split(','))
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  snapshots: z.array(isoTime).optional(),
  season_start: isoDate.optional(),
  season_end: isoDate.optional(),
});

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/;

/** Parses one entry file (or the text after `/kb publish`). */
export function parseEntry(text: string): ParseResult {
  const match = FRONT_MATTER.exec(text.replace(/^\s*\n/, ''));
  if (!match) return { ok: false, problems: [{ code: 'no_front_matter' }] };
  let data: unknown;
  try {
    // Dates stay strings unless written unquoted; the schema accepts both.
    data = parseYaml(match[1]!, { schema: 'core' });
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    return { ok: false, problems: [{ code: 'yaml', detail }] };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problems: [{ code: 'no_front_matter' }] };
  }
  const result = frontMatterSchema.safeParse(data);
  const problems: KbProblem[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? '');
      const absent = (data as Record<string, unknown>)[field] === undefined;
      problems.push(absent ? { code: 'missing', field } : { code: 'invalid', field, detail: issue.message });
    }
  }
  const body = match[2]!.replace(/\r\n/g, '\n').trim();
  if (!body) problems.push({ code: 'empty_body' });
  if (!result.success || problems.length) return { ok: false, problems };
  const fm = result.data;
  const meta: KbMeta = {};
  if (fm.snapshots?.length) meta.snapshots = [...fm.snapshots].sort();
  if (fm.season_start) meta.seasonStart = fm.season_start;
  if (fm.season_end) meta.seasonEnd = fm.season_end;
  return {
    ok: true,
    entry: {
      id: fm.id,
      lang: fm.lang,
      title: fm.title,
      updated: fm.updated,
      source: fm.source,
      tags: fm.tags,
      body,
      meta,
    },
  };
}

/** Identifies the content of a version, so that importing the same file twice adds nothing. */
export function contentHash(e: KbEntryInput): string {
  const canonical = JSON.stringify([e.id, e.lang, e.title, e.updated, e.source, e.tags, e.body, e.meta]);
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

/** Plain-English wording of a problem, for the command line. */
export function describeProblem(p: KbProblem): string {
  switch (p.code) {
    case 'no_front_matter':
      return 'no front matter: the file must start with a "---" line, the fields, and another "---" line';
    case 'yaml':
      return `front matter is not valid YAML (${p.detail ?? ''})`;
    case 'missing':
      return `missing field "${p.field}"`;
    case 'invalid':
      return `field "${p.field}" ${p.detail ?? 'is invalid'}`;
    case 'empty_body':
      return 'the entry has no text after the front matter';
    case 'duplicate':
      return `another file has the same id and lang (${p.detail ?? ''})`;
  }
}
