// Localizes delivery content for the recipient's language at send time.
import { t, type Locale } from '../../core/i18n';
import { formatDuration } from '../../core/i18n/format';
import type { LocalizedBlock, LocalizedParams } from '../../core/queue';
import type { Block, Button, Reply } from '../../core/reply';

function params(locale: Locale, p: LocalizedParams | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p ?? {}))
    out[k] = typeof v === 'object' ? formatDuration(locale, v.durationMs) : v;
  return out;
}

export function localize(content: LocalizedBlock[], locale: Locale): Reply {
  const buttons: Button[][] = content.flatMap((b) =>
    b.kind === 'buttons'
      ? [b.buttons.map((x) => ({ id: x.id, label: t(locale, x.key, params(locale, x.params)) }))]
      : [],
  );
  const blocks: Block[] = content.flatMap((b): Block[] => {
    switch (b.kind) {
      case 'buttons':
        return [];
      case 'text':
      case 'title':
        return [{ kind: b.kind, text: t(locale, b.key, params(locale, b.params)) }];
      case 'code':
        return [{ kind: 'code', text: b.text }];
      case 'list':
        return [{ kind: 'list', items: b.items.map((i) => t(locale, i.key, params(locale, i.params))) }];
    }
  });
  return buttons.length ? { blocks, buttons } : { blocks };
}
