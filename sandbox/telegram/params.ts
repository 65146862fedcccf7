import { badRequest } from './errors';

/** A file part of a multipart/form-data request. */
export interface UploadedPart {
  name: string;
  fileName?: string;
  contentType?: string;
  bytes: Buffer;
}

/**
 * Bot API parameters arrive as JSON values (JSON bodies) or as strings (query, form,
 * multipart, where objects are JSON-encoded); the real server accepts both, so every
 * accessor takes either.
 */
export class Params {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly files: Map<string, UploadedPart> = new Map(),
  ) {}

  has(name: string): boolean {
    const v = this.raw[name];
    return v !== undefined && v !== null && v !== '';
  }

  str(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return JSON.stringify(v);
  }

  int(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    throw badRequest(`invalid ${name} specified`);
  }

  requireInt(name: string): number {
    const v = this.int(name);
    if (v === undefined) throw badRequest(`parameter "${name}" is required`);
    return v;
  }

  bool(name: string): boolean {
    const v = this.raw[name];
    return v === true || v === 1 || v === 'true' || v === 'True' || v === '1';
  }

  json<T = unknown>(name: string): T | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return v as T;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw badRequest(`can't parse ${name} JSON object`);
    }
  }

  /** chat_id may be a number, a numeric string or "@username". */
  chatId(name = 'chat_id'): number | string {
    const v = this.raw[name];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    if (typeof v === 'string' && v.startsWith('@') && v.length > 1) return v;
    if (v === undefined || v === null || v === '') throw badRequest(`${name} is empty`);
    throw badRequest('chat not found');
  }

  /** An InputFile: an uploaded part (directly or via "attach://<name>") or a file_id / URL string. */
  file(name: string): UploadedPart | string | undefined {
    const direct = this.files.get(name);
    if (direct) return direct;
    const v = this.str(name);
    if (v === undefined || v === '') return undefined;
    if (v.startsWith('attach://')) {
      const part = this.files.get(v.slice('attach://'.length));
      if (!part) throw badRequest(`${name} not found in the request`);
      return part;
    }
    return v;
  }

  /** What the control API reports as the call's params: uploads become a short description. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const referenced = new Set<string>();
    const describe = (part: UploadedPart) => ({ fileName: part.fileName, size: part.bytes.length });
    for (const [k, v] of Object.entries(this.raw)) {
      const attached =
        typeof v === 'string' && v.startsWith('attach://') ? this.files.get(v.slice(9)) : undefined;
      if (attached) {
        referenced.add(attached.name);
        out[k] = describe(attached);
        continue;
      }
      if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
        try {
          out[k] = JSON.parse(v);
          continue;
        } catch {
          // not JSON after all: keep the string
        }
      }
      out[k] = v;
    }
    for (const [k, part] of this.files) {
      if (!referenced.has(k)) out[k] = describe(part);
    }
    return out;
  }
}
