// Files a user or staff member sends into a ticket: downloaded from the platform while the
// link is fresh (Telegram file ids need getFile, Discord CDN links expire) and stored with
// the message, so the relay can send them on and the transcript keeps them.
import type { FeatureContext } from '../../core/feature';
import type { IncomingAttachment } from '../tickets';

const MAX_FILES = 10;

export async function attachmentsOf(ctx: FeatureContext, maxBytes: number): Promise<IncomingAttachment[]> {
  const out: IncomingAttachment[] = [];
  for (const f of (ctx.files ?? []).slice(0, MAX_FILES)) {
    const base = {
      name: f.name || 'file',
      contentType: f.contentType || 'application/octet-stream',
      ...(f.ref || f.url ? { sourceRef: (f.ref ?? f.url)! } : {}),
    };
    // Too large to keep: the record still names it (staff see "file not kept").
    if (f.size !== undefined && f.size > maxBytes) {
      out.push({ ...base, size: f.size });
      continue;
    }
    const data = ctx.fetchFile ? await ctx.fetchFile(f).catch(() => null) : null;
    out.push({ ...base, size: data?.length ?? f.size ?? 0, ...(data ? { data } : {}) });
  }
  return out;
}
