import path from 'node:path';
import type { File, Message } from '@grammyjs/types';
import type { MethodContext, MethodSpec } from '../api';
import { badRequest } from '../errors';
import { httpRequest } from '../http-client';
import { guessMimeType, imageSize } from '../media';
import { randomId, type StoredFile, type World } from '../state';
import {
  applyChatMarkup,
  captionFields,
  commonFields,
  messageCaption,
  readMarkup,
  requireChat,
  resolveReply,
  resolveThread,
  threadOf,
} from './common';

interface Incoming {
  bytes: Buffer;
  fileName?: string;
  contentType?: string;
}

export function storeFile(world: World, input: Incoming, folder: 'documents' | 'photos'): StoredFile {
  const n = world.files.size + 1;
  const ext = input.fileName?.includes('.')
    ? path.extname(input.fileName)
    : folder === 'photos'
      ? '.jpg'
      : '';
  const file: StoredFile = {
    fileId: `${folder === 'photos' ? 'AgAC' : 'BQAC'}AgIAAxkBAAI${randomId(24)}`,
    fileUniqueId: `AgAD${randomId(9)}`,
    fileName: input.fileName,
    mimeType: guessMimeType(input.fileName, input.contentType),
    size: input.bytes.length,
    bytes: input.bytes,
    filePath: `${folder}/file_${n}${ext}`,
  };
  world.files.set(file.fileId, file);
  return file;
}

/** An InputFile: a new upload, a URL Telegram downloads, or the file_id of a file it already has. */
async function obtain(ctx: MethodContext, name: 'document' | 'photo'): Promise<Incoming | StoredFile> {
  const input = ctx.params.file(name);
  if (input === undefined) throw badRequest(`there is no ${name} in the request`);
  if (typeof input !== 'string') {
    if (input.bytes.length === 0) throw badRequest('file must be non-empty');
    return input;
  }
  if (/^https?:\/\//i.test(input)) {
    try {
      const res = await httpRequest(input, { timeoutMs: 5_000 });
      if (res.status < 200 || res.status >= 300 || res.body.length === 0) throw new Error(String(res.status));
      const fileName = decodeURIComponent(path.basename(new URL(input).pathname)) || undefined;
      return { bytes: res.body, fileName, contentType: res.headers['content-type'] };
    } catch {
      throw badRequest('failed to get HTTP URL content');
    }
  }
  const known = ctx.world.files.get(input);
  if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
  return known;
}

async function sendFile(ctx: MethodContext, kind: 'document' | 'photo'): Promise<Message> {
  const chat = requireChat(ctx);
  const caption = messageCaption(ctx);
  const markup = readMarkup(ctx);
  const reply = resolveReply(ctx, chat);
  const threadId = threadOf(chat, resolveThread(ctx, chat), reply);
  const input = await obtain(ctx, kind);
  const size = kind === 'photo' ? imageSize(input.bytes) : undefined;
  if (kind === 'photo' && !size) throw badRequest('IMAGE_PROCESS_FAILED');
  ctx.ensureReachable(chat);
  ctx.limit(chat);
  const file =
    'fileId' in input ? input : storeFile(ctx.world, input, kind === 'photo' ? 'photos' : 'documents');
  const ids = { file_id: file.fileId, file_unique_id: file.fileUniqueId };
  const media: Partial<Message> =
    kind === 'photo'
      ? { photo: [{ ...ids, file_size: file.size, width: size?.width ?? 0, height: size?.height ?? 0 }] }
      : {
          document: {
            ...(file.fileName ? { file_name: file.fileName } : {}),
            ...(file.mimeType ? { mime_type: file.mimeType } : {}),
            ...ids,
            file_size: file.size,
          },
        };
  applyChatMarkup(chat, markup);
  const stored = ctx.world.addMessage(
    chat,
    { ...commonFields(chat, threadId, reply, markup), ...media, ...captionFields(caption) },
    { from: ctx.world.botUser, fromBot: true, threadId },
  );
  return structuredClone(stored.message);
}

function getFile(ctx: MethodContext): File {
  const file = ctx.world.files.get(ctx.params.str('file_id') ?? '');
  if (!file) throw badRequest('invalid file_id');
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_size: file.size,
    file_path: file.filePath,
  };
}

export const fileMethods: MethodSpec[] = [
  { name: 'sendDocument', run: (ctx) => sendFile(ctx, 'document') },
  { name: 'sendPhoto', run: (ctx) => sendFile(ctx, 'photo') },
  { name: 'getFile', run: getFile },
];
