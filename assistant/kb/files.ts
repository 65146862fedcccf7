// Reading a folder of knowledge-base files. Every file is checked before anything is
// written, so one bad file stops the whole import with a line per problem.
import fs from 'node:fs';
import path from 'node:path';
import { parseEntry, type KbEntryInput, type KbProblem } from './entry';

export interface FileProblem {
  file: string;
  problems: KbProblem[];
}

export type ReadResult = { ok: true; entries: KbEntryInput[] } | { ok: false; files: FileProblem[] };

function markdownFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) return markdownFiles(p);
      return d.isFile() && /\.md$/i.test(d.name) ? [p] : [];
    })
    .sort();
}

export function readKnowledgeDir(dir: string): ReadResult {
  const files = markdownFiles(dir);
  const entries: KbEntryInput[] = [];
  const bad: FileProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rel = path.relative(dir, file);
    const parsed = parseEntry(fs.readFileSync(file, 'utf8'));
    if (!parsed.ok) {
      bad.push({ file: rel, problems: parsed.problems });
      continue;
    }
    const key = `${parsed.entry.id}/${parsed.entry.lang}`;
    const other = seen.get(key);
    if (other) {
      bad.push({ file: rel, problems: [{ code: 'duplicate', detail: `${key}, also in ${other}` }] });
      continue;
    }
    seen.set(key, rel);
    entries.push(parsed.entry);
  }
  return bad.length ? { ok: false, files: bad } : { ok: true, entries };
}
