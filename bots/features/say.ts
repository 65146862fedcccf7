import type { CommandContext } from './context';
import { reply, text, type Reply } from '../../core/reply';

/** A private reply of plain paragraphs. */
export const say = (_ctx: CommandContext, ...lines: string[]): Reply =>
  reply(lines.map(text), { private: true });
