// Notices for staff (a source outage, later: moderation queues) in the staff Telegram
// group and/or the Discord moderators' channel, in English and Chinese together since
// staff teams are mixed. Rare by nature: sent directly, failures logged.
import { t, type MessageKey } from '../core/i18n';
import type { Logger } from '../core/logger';
import type { LocalizedParams } from '../core/queue';
import { localize } from './delivery/content';
import type { PlatformSender } from './delivery/sender';

export class StaffNotifier {
  constructor(
    private readonly targets: Array<{ sender: PlatformSender; channelId: string }>,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.targets.length > 0;
  }

  async notify(key: MessageKey, params: LocalizedParams = {}): Promise<void> {
    const en = localize([{ kind: 'text', key, params }], 'en');
    const zh = localize([{ kind: 'text', key, params }], 'zh');
    const reply = { blocks: [...en.blocks, ...zh.blocks] };
    for (const { sender, channelId } of this.targets) {
      const res = await sender
        .sendToChannel(channelId, reply)
        .catch((err: Error) => ({ ok: false as const, kind: 'transient' as const, detail: err.message }));
      if (!res.ok)
        this.logger.warn({ platform: sender.platform, outcome: res }, 'staff notice not delivered');
    }
    this.logger.warn({ notice: key, text: t('en', key, params as Record<string, string>) }, 'staff notice');
  }
}
