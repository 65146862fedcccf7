// `nodedesk kb import <dir>`: upserts every knowledge-base file of a folder by (id, lang).
// Every file is checked first; one bad file stops the import with a line per problem
// and nothing is written.
import { Assistant } from '../assistant/service';
import { describeProblem } from '../assistant/kb/entry';
import type { Config } from '../core/config';
import { createDb } from '../core/db';

export class KbImportError extends Error {}

export async function kbImport(config: Config, dir: string, out: (line: string) => void): Promise<void> {
  const db = createDb(config.DATABASE_URL, { poolSize: 2 });
  try {
    const outcome = await new Assistant({ prisma: db.prisma }).importDir(dir);
    if (outcome.kind === 'invalid') {
      const lines = outcome.files.flatMap((f) => f.problems.map((p) => `  ${f.file}: ${describeProblem(p)}`));
      throw new KbImportError(`nothing imported; fix these files first:\n${lines.join('\n')}`);
    }
    out(
      `Imported ${outcome.entries} entries from ${dir}: ${outcome.created} new version(s), ${outcome.unchanged} unchanged.`,
    );
  } finally {
    await db.close();
  }
}
