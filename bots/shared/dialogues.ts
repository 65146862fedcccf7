// Running dialogues (intake, Telegram forms), one per identity, persisted in Redis with an
// idle TTL so they survive a restart of any process. A lost Redis drops half-filled
// dialogues only: the next message is treated as new input.
import type { Redis } from 'ioredis';
import type { DialogueState } from '../../core/feature';
import { keys } from '../../core/keys';

export interface StoredDialogue {
  feature: string;
  name: string;
  state: DialogueState;
}

export class DialogueStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(identityId: string): Promise<StoredDialogue | null> {
    const raw = await this.redis.get(keys(this.prefix).dialogue(identityId));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as StoredDialogue;
    } catch {
      return null;
    }
  }

  async set(identityId: string, d: StoredDialogue, ttlSeconds: number): Promise<void> {
    await this.redis.set(keys(this.prefix).dialogue(identityId), JSON.stringify(d), 'EX', ttlSeconds);
  }

  async clear(identityId: string): Promise<void> {
    await this.redis.del(keys(this.prefix).dialogue(identityId));
  }
}
