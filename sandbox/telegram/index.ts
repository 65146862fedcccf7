// Telegram Bot API emulator for end-to-end tests: see README.md in this folder.
export { startTelegramSandbox, TelegramSandbox } from './control';
export type {
  TelegramGroupOptions,
  TelegramSandboxOptions,
  TelegramSandboxView,
  TelegramUserOptions,
} from './control';
export { TelegramUserHandle } from './user-handle';
export { TelegramGroupHandle } from './group-handle';
export type { SenderRef } from './group-handle';
export type { ButtonSelector, MessageInput, WaitOptions } from './chat-handle';
export type { TelegramFailRate, TelegramFailure } from './failures';
export { DEFAULT_LIMITS } from './limits';
export type { TelegramLimits } from './limits';
export type { CallbackAnswer, MemberStatus, StoredFile, TelegramCall, WebhookConfig } from './state';
export type { WebhookOptions } from './webhook';
export type { OutageMode } from './server';
export { parseHtml } from './html';
export { parseMarkdownV2 } from './markdown-v2';
