// Transcripts of a closed ticket, as plain text and as a self-contained HTML page. The
// staff copy keeps internal notes; the user's copy leaves them out.
import type { Ticket, TicketAttachment, TicketMessage } from '@prisma/client';

export type TranscriptMessage = TicketMessage & {
  attachments: Array<Pick<TicketAttachment, 'name' | 'size' | 'contentType'>>;
};

const KIND_LABEL: Record<TicketMessage['kind'], string> = {
  USER: 'user',
  STAFF: 'staff',
  NOTE: 'internal note',
  SYSTEM: 'system',
};

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const stamp = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

export interface Transcript {
  text: string;
  html: string;
}

export function buildTranscript(
  ticket: Ticket,
  categoryLabel: string,
  messages: TranscriptMessage[],
  opts: { includeNotes: boolean },
): Transcript {
  const shown = messages.filter((m) => opts.includeNotes || m.kind !== 'NOTE');
  const header = [
    `Ticket #${ticket.number} · ${categoryLabel}`,
    `Opened ${stamp(ticket.openedAt)} on ${ticket.platform.toLowerCase()}, worked on ${ticket.homePlatform.toLowerCase()}`,
    ticket.closedAt
      ? `Closed ${stamp(ticket.closedAt)}${ticket.closeReason ? `: ${ticket.closeReason}` : ''}`
      : 'Open',
    `Priority ${ticket.priority.toLowerCase()}${ticket.tags.length ? ` · tags ${ticket.tags.join(', ')}` : ''}`,
  ];
  const lines = [...header, ''];
  for (const m of shown) {
    lines.push(
      `[${stamp(m.createdAt)}] ${m.authorName ?? '—'} (${KIND_LABEL[m.kind]})${m.editedAt ? ' (edited)' : ''}:`,
    );
    if (m.body) lines.push(...m.body.split('\n').map((l) => `  ${l}`));
    for (const a of m.attachments) lines.push(`  [attachment: ${a.name}, ${a.contentType}, ${a.size} bytes]`);
  }
  const rows = shown
    .map(
      (m) =>
        `<div class="m ${m.kind.toLowerCase()}"><div class="h"><b>${escapeHtml(m.authorName ?? '—')}</b> <span>${
          KIND_LABEL[m.kind]
        } · ${stamp(m.createdAt)}${m.editedAt ? ' · edited' : ''}</span></div><div class="b">${escapeHtml(m.body)}</div>${m.attachments
          .map((a) => `<div class="a">📎 ${escapeHtml(a.name)} (${a.size} bytes)</div>`)
          .join('')}</div>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ticket #${ticket.number}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:820px;margin:2em auto;color:#222}
.m{border-left:3px solid #ccc;padding:.3em .8em;margin:.6em 0}.staff{border-color:#3a7}.note{border-color:#e90;background:#fff8e6}
.system{border-color:#999;color:#666}.h span{color:#777;font-size:12px}.b{white-space:pre-wrap}.a{color:#555;font-size:13px}</style>
</head><body><h1>${escapeHtml(header[0]!)}</h1>${header
    .slice(1)
    .map((h) => `<p>${escapeHtml(h)}</p>`)
    .join('')}
${rows}
</body></html>
`;
  return { text: lines.join('\n') + '\n', html };
}
