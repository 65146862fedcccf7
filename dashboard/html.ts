// A tiny HTML template: every interpolated value is escaped unless it is already Html
// (another template, or a list of them). User text (ticket messages, names, reports)
// therefore always shows literally, whatever it contains.
import type { Reply } from '../core/reply';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

export function escape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function render(p: Part): string {
  if (p === null || p === undefined || p === false) return '';
  if (p instanceof Html) return p.value;
  if (Array.isArray(p)) return p.map(render).join('');
  return escape(String(p));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((p, i) => (out += render(p) + strings[i + 1]!));
  return new Html(out);
}

/** Markup built by our own code (SVG charts): trusted as is. */
export const raw = (s: string) => new Html(s);

/** A platform-neutral Reply (context card, stats) as HTML paragraphs. */
export function replyHtml(r: Reply): Html {
  return html`${r.blocks.map((b) => {
    switch (b.kind) {
      case 'title':
        return html`<h3>${b.text}</h3>`;
      case 'code':
        return html`<pre>${b.text}</pre>`;
      case 'list':
        return html`<ul>
          ${b.items.map((i) => html`<li>${i}</li>`)}
        </ul>`;
      default:
        return html`<p class="pre">${b.text}</p>`;
    }
  })}`;
}
