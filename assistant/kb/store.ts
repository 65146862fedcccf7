// Knowledge-base versions in PostgreSQL. Every import or publish of changed content adds a
// version; nothing is overwritten. The entry in effect for (id, lang) is the version with
// the newest `updated` (ties: the latest written), and the knowledge-base version, which
// keys the answer cache, is the highest write sequence.
import type { Prisma, PrismaClient } from '@prisma/client';
import { audit } from '../../accounts/audit';
import { contentHash, type KbEntryInput, type KbLang, type KbMeta } from './entry';

export interface KbEntry extends KbEntryInput {
  version: number;
  seq: number;
}

export interface KbVersionInfo {
  version: number;
  updated: string;
  title: string;
  publishedBy: string;
  createdAt: Date;
  lang: KbLang;
  /** This version is the one answers use. */
  current: boolean;
}

export type WriteOutcome =
  { kind: 'created'; version: number; current: boolean } | { kind: 'unchanged'; version: number };

type Row = Prisma.KbEntryVersionGetPayload<object>;

function toEntry(r: Row): KbEntry {
  return {
    id: r.entryId,
    lang: r.lang as KbLang,
    title: r.title,
    updated: r.updated.toISOString().slice(0, 10),
    source: r.source,
    tags: r.tags,
    body: r.body,
    meta: (r.meta ?? {}) as KbMeta,
    version: r.version,
    seq: r.seq,
  };
}

const newer = (a: Row, b: Row) =>
  a.updated.getTime() !== b.updated.getTime() ? a.updated > b.updated : a.version > b.version;

export class KbStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** The knowledge-base version: changes with every write, so caches keyed by it expire at once. */
  async version(): Promise<number> {
    const r = await this.prisma.kbEntryVersion.aggregate({ _max: { seq: true } });
    return r._max.seq ?? 0;
  }

  /** Every entry in effect, one per (id, lang). */
  async current(): Promise<KbEntry[]> {
    const rows = await this.prisma.kbEntryVersion.findMany({ orderBy: { seq: 'asc' } });
    const best = new Map<string, Row>();
    for (const r of rows) {
      const key = `${r.entryId}\u0000${r.lang}`;
      const had = best.get(key);
      if (!had || newer(r, had)) best.set(key, r);
    }
    return [...best.values()].map(toEntry);
  }

  async history(entryId: string): Promise<KbVersionInfo[]> {
    const rows = await this.prisma.kbEntryVersion.findMany({
      where: { entryId },
      orderBy: [{ lang: 'asc' }, { version: 'desc' }],
    });
    const best = new Map<string, Row>();
    for (const r of rows) {
      const had = best.get(r.lang);
      if (!had || newer(r, had)) best.set(r.lang, r);
    }
    return rows.map((r) => ({
      version: r.version,
      updated: r.updated.toISOString().slice(0, 10),
      title: r.title,
      publishedBy: r.publishedBy,
      createdAt: r.createdAt,
      lang: r.lang as KbLang,
      current: best.get(r.lang) === r,
    }));
  }

  /**
   * Upserts entries by (id, lang) in one transaction: a changed entry gets a new version,
   * an identical one is left alone. `actor` is "import" or a staff user id (audited).
   */
  async write(
    entries: KbEntryInput[],
    actor: { publishedBy: string; userId?: string; identityId?: string },
  ): Promise<WriteOutcome[]> {
    return this.prisma.$transaction(
      async (tx) => {
        // One writer at a time: version numbers stay dense and the sequence stays ordered.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('kb_entry_versions'))`;
        const existing = await tx.kbEntryVersion.findMany({
          where: { entryId: { in: [...new Set(entries.map((e) => e.id))] } },
        });
        const out: WriteOutcome[] = [];
        const rows: Prisma.KbEntryVersionCreateManyInput[] = [];
        for (const e of entries) {
          const hash = contentHash(e);
          const mine = existing.filter((r) => r.entryId === e.id && r.lang === e.lang);
          const same = mine.find((r) => r.contentHash === hash);
          if (same) {
            out.push({ kind: 'unchanged', version: same.version });
            continue;
          }
          const version = Math.max(0, ...mine.map((r) => r.version)) + 1;
          const updated = new Date(`${e.updated}T00:00:00Z`);
          const current = mine.every(
            (r) => updated > r.updated || (+updated === +r.updated && version > r.version),
          );
          rows.push({
            entryId: e.id,
            lang: e.lang,
            version,
            title: e.title,
            updated,
            source: e.source,
            tags: e.tags,
            body: e.body,
            meta: e.meta as Prisma.InputJsonValue,
            contentHash: hash,
            publishedBy: actor.publishedBy,
          });
          out.push({ kind: 'created', version, current });
          if (actor.userId) {
            await audit(tx, {
              action: 'kb.publish',
              subjectType: 'kb_entry',
              subjectId: `${e.id}/${e.lang}`,
              actorUserId: actor.userId,
              actorIdentityId: actor.identityId ?? null,
              details: { version, updated: e.updated, current },
            });
          }
        }
        if (rows.length) await tx.kbEntryVersion.createMany({ data: rows });
        return out;
      },
      // A large import on a busy database may take longer than Prisma's 5 s default.
      { timeout: 60_000, maxWait: 10_000 },
    );
  }
}
