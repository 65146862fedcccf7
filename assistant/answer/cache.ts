// Answers cached per (question, knowledge-base version, language). The version is in the
// key, so a publish (which raises it) makes every older answer unreachable at once; the
// TTL only bounds memory.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Answer } from './compose';

export class AnswerCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 6 * 3600,
  ) {}

  private key(question: string, kbVersion: number, lang: string): string {
    const q = question.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
    const h = crypto.createHash('sha256').update(q).digest('base64url').slice(0, 24);
    return `${this.prefix}:assistant:answer:${kbVersion}:${lang}:${h}`;
  }

  async get(question: string, kbVersion: number, lang: string): Promise<Answer | null> {
    const raw = await this.redis.get(this.key(question, kbVersion, lang)).catch(() => null);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Answer;
    } catch {
      return null;
    }
  }

  async set(question: string, kbVersion: number, lang: string, answer: Answer): Promise<void> {
    await this.redis
      .set(this.key(question, kbVersion, lang), JSON.stringify(answer), 'EX', this.ttlSeconds)
      .catch(() => {});
  }
}
