// The "open a ticket" offer under an "I don't know". A button id holds 64 bytes and a
// question up to 500 characters, so the question waits in Redis under a short random
// token for a day, with the asker: only they can turn it into a ticket (the answer may
// sit in a group), and the token keys the ticket request, so a second press finds the
// ticket the first one opened.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Offer {
  userId: string;
  question: string;
}

export class TicketOffers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 86_400,
  ) {}

  private key(token: string) {
    return `${this.prefix}:assistant:offer:${token}`;
  }

  async put(offer: Offer): Promise<string> {
    const token = crypto.randomBytes(12).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(offer), 'EX', this.ttlSeconds);
    return token;
  }

  async get(token: string): Promise<Offer | null> {
    if (!/^[A-Za-z0-9_-]{16}$/.test(token)) return null;
    const raw = await this.redis.get(this.key(token));
    return raw ? (JSON.parse(raw) as Offer) : null;
  }
}
