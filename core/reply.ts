// A platform-neutral reply: what to say, already localized, in blocks that each adapter
// renders in its own way (Telegram entities, Discord markdown). Keeping user text in
// plain blocks lets each adapter escape it for its own format in one place.

export type Block =
  /** Plain text; the adapter escapes it so user-supplied parts cannot inject markup. */
  | { kind: 'text'; text: string }
  /** Bold heading line. */
  | { kind: 'title'; text: string }
  /** Exact text to copy (a message to sign, a token): a code entity / code block, nothing else inside. */
  | { kind: 'code'; text: string; language?: string }
  /** Bullet list of plain items. */
  | { kind: 'list'; items: string[] };

export interface Button {
  /** Routed back to the handler when pressed: `<action>:<arg>`, at most 64 bytes (Telegram's limit). */
  id: string;
  label: string;
  style?: 'primary' | 'secondary' | 'danger' | 'success';
}

export interface Attachment {
  name: string;
  data: Buffer;
  contentType: string;
}

export interface Reply {
  blocks: Block[];
  /** Rows of buttons. */
  buttons?: Button[][];
  /** Only for the user's eyes (tokens, wallets, nodes): asked in a Telegram group, it goes by DM. */
  private?: boolean;
  /** Localized notes for the group when a private reply is moved to a DM (set by the dispatcher). */
  groupNotices?: { sentToDm: string; openDmFirst: string };
  attachment?: Attachment;
}

export const text = (t: string): Block => ({ kind: 'text', text: t });
export const title = (t: string): Block => ({ kind: 'title', text: t });
export const code = (t: string, language?: string): Block => ({
  kind: 'code',
  text: t,
  ...(language ? { language } : {}),
});
export const list = (items: string[]): Block => ({ kind: 'list', items });

export function reply(blocks: Block[], extra: Omit<Reply, 'blocks'> = {}): Reply {
  return { blocks, ...extra };
}
