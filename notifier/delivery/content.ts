// Localizes delivery content for the recipient's language at send time.
import { t, type Locale } from '../../core/i18n';
import type { LocalizedBlock } from '../../core/queue';
import type { Block, Reply } from '../../bots/shared/reply';

export function localize(content: LocalizedBlock[], locale: Locale): Reply {
  const blocks: Block[] = content.map((b) => {
    switch (b.kind) {
      case 'text':
      case 'title':
        return { kind: b.kind, text: t(locale, b.key, b.params) };
      case 'code':
        return { kind: 'code', text: b.text };
      case 'list':
        return { kind: 'list', items: b.items.map((i) => t(locale, i.key, i.params)) };
    }
  });
  return { blocks };
}
