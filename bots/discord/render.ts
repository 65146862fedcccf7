// Renders a Reply as Discord message options. User-supplied text is markdown-escaped,
// code blocks cannot be broken out of, and nothing ever pings (allowedMentions parse: []).
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  escapeMarkdown,
  MessageFlags,
  type InteractionReplyOptions,
  type MessageCreateOptions,
} from 'discord.js';
import type { Block, Button, Reply } from '../../core/reply';

export const DISCORD_MAX_CONTENT = 2000;

/** Never ping anyone from rendered text; a feature that must ping adds users explicitly. */
export const NO_PINGS = { parse: [] as [] };

const STYLES: Record<NonNullable<Button['style']>, ButtonStyle> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  danger: ButtonStyle.Danger,
  success: ButtonStyle.Success,
};

const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();

/** Escapes markdown and also defuses mention syntax visually (the real guard is NO_PINGS). */
export function escapeText(s: string): string {
  return escapeMarkdown(wellFormed(s)).replace(/@(everyone|here)/g, '@\u200b$1');
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'text':
      return escapeText(block.text);
    case 'title':
      return `**${escapeText(block.text)}**`;
    case 'code':
      // A run of backticks inside would close the block early; a zero-width space breaks it.
      return (
        '```' + (block.language ?? '') + '\n' + wellFormed(block.text).replace(/`(?=`)/g, '`\u200b') + '\n```'
      );
    case 'list':
      return block.items.map((i) => `- ${escapeText(i)}`).join('\n');
  }
}

function splitContent(parts: string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? `${cur}\n\n${p}` : p;
    if (next.length <= DISCORD_MAX_CONTENT) {
      cur = next;
      continue;
    }
    if (cur) out.push(cur);
    cur = '';
    for (let i = 0; i < p.length; i += DISCORD_MAX_CONTENT) {
      const piece = p.slice(i, i + DISCORD_MAX_CONTENT);
      if (piece.length === DISCORD_MAX_CONTENT || i + DISCORD_MAX_CONTENT < p.length) out.push(piece);
      else cur = piece;
    }
  }
  if (cur) out.push(cur);
  return out.length ? out : ['…'];
}

function components(reply: Reply) {
  return (reply.buttons ?? []).slice(0, 5).map((row) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      row.slice(0, 5).map((b) =>
        new ButtonBuilder()
          .setCustomId(b.id.slice(0, 100))
          .setLabel(b.label.slice(0, 80))
          .setStyle(STYLES[b.style ?? 'secondary']),
      ),
    ),
  );
}

/** Messages for a channel or DM; components and attachment ride on the last one. */
export function renderDiscord(reply: Reply): MessageCreateOptions[] {
  const contents = splitContent(reply.blocks.map(renderBlock));
  return contents.map((content, i) => {
    const last = i === contents.length - 1;
    return {
      content,
      allowedMentions: NO_PINGS,
      ...(last && reply.buttons?.length ? { components: components(reply) } : {}),
      ...(last && reply.attachment
        ? { files: [new AttachmentBuilder(reply.attachment.data, { name: reply.attachment.name })] }
        : {}),
    };
  });
}

/** The same, as interaction replies: ephemeral unless the feature asked for a visible answer. */
export function renderInteraction(
  reply: Reply,
  visibility: 'visible' | 'ephemeral' = 'ephemeral',
): InteractionReplyOptions[] {
  return renderDiscord(reply).map((m) => ({
    content: m.content,
    allowedMentions: NO_PINGS,
    ...(m.components ? { components: m.components as InteractionReplyOptions['components'] } : {}),
    ...(m.files ? { files: m.files } : {}),
    ...(visibility === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {}),
  }));
}
