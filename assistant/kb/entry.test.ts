import { contentHash, parseEntry } from './entry';
import { readKnowledgeDir } from './files';
import { KNOWLEDGE_DIR } from '../retrieval/text';

const good = `---
id: tge-status
lang: en
title: TGE status
updated: 2024-05-20
source: https://example.org/announcement
tags: [tge, launch]
snapshots: [2024-04-20T00:00:00Z, "2024-05-01 12:00"]
season_start: 2024-04-01
---
The TGE date is June 1.
`;

describe('knowledge-base file format', () => {
  it('parses front matter and body', () => {
    const r = parseEntry(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entry).toMatchObject({
      id: 'tge-status',
      lang: 'en',
      title: 'TGE status',
      updated: '2024-05-20',
      source: 'https://example.org/announcement',
      tags: ['tge', 'launch'],
      body: 'The TGE date is June 1.',
      meta: {
        snapshots: ['2024-04-20T00:00:00.000Z', '2024-05-01T12:00:00.000Z'],
        seasonStart: '2024-04-01',
      },
    });
  });

  it('reports every problem of a bad entry, each with its field', () => {
    const r = parseEntry(
      '---\nid: Not A Slug\nlang: fr\ntitle: x\nupdated: 2024-13-45\nsource: maybe\n---\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'invalid', field: 'id' }),
        expect.objectContaining({ code: 'invalid', field: 'lang' }),
        expect.objectContaining({ code: 'invalid', field: 'updated' }),
        expect.objectContaining({ code: 'invalid', field: 'source' }),
        { code: 'empty_body' },
      ]),
    );
  });

  it('names missing fields, missing front matter and broken YAML', () => {
    const missing = parseEntry('---\nid: a\n---\ntext');
    expect(!missing.ok && missing.problems.map((p) => p.field)).toEqual([
      'lang',
      'title',
      'updated',
      'source',
    ]);
    const none = parseEntry('just text');
    expect(!none.ok && none.problems).toEqual([{ code: 'no_front_matter' }]);
    const yaml = parseEntry('---\nid: [unclosed\n---\ntext');
    expect(!yaml.ok && yaml.problems[0]?.code).toBe('yaml');
  });

  it('hashes content so the same file is the same version', () => {
    const a = parseEntry(good);
    const b = parseEntry(good.replace('\n', '\r\n'));
    const c = parseEntry(good.replace('June 1', 'June 2'));
    if (!a.ok || !b.ok || !c.ok) throw new Error('parse failed');
    expect(contentHash(a.entry)).toBe(contentHash(b.entry));
    expect(contentHash(a.entry)).not.toBe(contentHash(c.entry));
  });

  it('the starter knowledge base parses: at least 15 entries in both languages, same ids', () => {
    const r = readKnowledgeDir(KNOWLEDGE_DIR);
    if (!r.ok) throw new Error(JSON.stringify(r.files));
    const en = r.entries.filter((e) => e.lang === 'en').map((e) => e.id);
    const zh = r.entries.filter((e) => e.lang === 'zh').map((e) => e.id);
    expect(en.length).toBeGreaterThanOrEqual(15);
    expect(zh.sort()).toEqual(en.sort());
    for (const id of [
      'points-earned',
      'points-low',
      'uptime-score',
      'reputation-score',
      'snapshots',
      'seasons',
    ]) {
      expect(en).toContain(id);
    }
    for (const id of ['tge-status', 'fake-cards', 'sybil', 'support']) expect(en).toContain(id);
  });
});
