import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './errors';
import { Params, type UploadedPart } from './params';

/** Telegram accepts uploads up to 50 MB; a little more for the multipart envelope. */
const MAX_BODY_BYTES = 52 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request Entity Too Large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A Content-Disposition / Content-Type parameter, quoted or (as grammY writes filename) bare. */
function headerParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}=("([^"]*)"|[^;\\r\\n]*)`, 'i').exec(header);
  if (!m) return undefined;
  return m[2] ?? m[1]?.trim();
}

export function parseMultipart(
  body: Buffer,
  boundary: string,
): { fields: Record<string, string>; files: Map<string, UploadedPart> } {
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedPart>();
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const part = body.subarray(start, end);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers: Record<string, string> = {};
      for (const line of part.subarray(0, split).toString('utf8').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const disposition = `;${headers['content-disposition'] ?? ''}`;
      const name = headerParam(disposition, 'name');
      const fileName = headerParam(disposition, 'filename');
      const content = part.subarray(split + 4);
      if (name !== undefined && fileName !== undefined) {
        files.set(name, {
          name,
          fileName,
          contentType: headers['content-type'],
          bytes: Buffer.from(content),
        });
      } else if (name !== undefined) {
        fields[name] = content.toString('utf8');
      }
    }
    pos = next;
  }
  return { fields, files };
}

/** Query string plus body (JSON, urlencoded or multipart), merged the way the Bot API does. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (req.method !== 'POST') return new Params(raw);
  const body = await readBody(req);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return new Params(raw);
  if (type.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw badRequest("can't parse JSON object");
    return new Params({ ...raw, ...(parsed as Record<string, unknown>) });
  }
  if (type.includes('multipart/form-data')) {
    // Boundaries are case-sensitive, so read the header as sent.
    const params = (req.headers['content-type'] ?? '').split(';').slice(1).join(';');
    const boundary = headerParam(`;${params}`, 'boundary');
    if (!boundary) throw badRequest('multipart boundary is missing');
    const { fields, files } = parseMultipart(body, boundary);
    return new Params({ ...raw, ...fields }, files);
  }
  return new Params({ ...raw, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) });
}
