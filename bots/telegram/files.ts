// Downloads a file a user sent (a photo, a document) by its file id: getFile names its path,
// then `<apiRoot>/file/bot<token>/<path>` serves the bytes. The Bot API serves files up to
// 20 MB; the path is valid for at least an hour. The URL holds the token: never logged.
import type { Api } from 'grammy';
import type { InboundFile } from '../../core/feature';

/** Bot API download limit (getFile refuses larger files). */
export const TELEGRAM_DOWNLOAD_MAX = 20 * 1024 * 1024;

export function telegramFileFetcher(api: Api, apiRoot: string, token: string) {
  return async (file: InboundFile): Promise<Buffer | null> => {
    if (!file.ref || (file.size ?? 0) > TELEGRAM_DOWNLOAD_MAX) return null;
    const found = await api.getFile(file.ref);
    if (!found.file_path) return null;
    const res = await fetch(`${apiRoot.replace(/\/$/, '')}/file/bot${token}/${found.file_path}`, {
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) return null;
    return Buffer.from(await res.arrayBuffer());
  };
}
