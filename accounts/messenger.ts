import type { MessageKey } from '../core/i18n';

/**
 * Sends a localized notice to every reachable identity of a user (delivery picks the
 * platform and language). Accounts only says what to tell; notifier/delivery sends it.
 */
export interface UserMessenger {
  tell(
    userId: string,
    key: MessageKey,
    params: Record<string, string | number>,
    dedupeKey: string,
  ): Promise<void>;
}
