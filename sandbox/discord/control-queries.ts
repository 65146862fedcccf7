// The sandbox's read-side helpers: the request log filtered, the bot's threads described, and
// waiting on any condition; DiscordSandbox's methods delegate here to keep control.ts short.
import { ChannelType, type APIThreadChannel } from 'discord-api-types/v10';
import type { ThreadInfo } from './channel-handle';
import { routeMatcher } from './failures';
import type { SandboxState } from './state';
import type { RequestRecord } from './types';
import { DEFAULT_TIMEOUT_MS } from './wait';

export type RequestFilter =
  | ((r: RequestRecord) => boolean)
  | {
      method?: string;
      /** Same syntax as failNext: `/channels/:id/messages` or a RegExp. */
      path?: string | RegExp;
      status?: number;
    };

/** Threads the bot created, with members and archive state. */
export function botThreads(state: SandboxState): ThreadInfo[] {
  return state
    .threads()
    .filter((t) => t.createdByBot)
    .map((t) => {
      const ch = t.channel as APIThreadChannel;
      const meta = ch.thread_metadata;
      return {
        id: ch.id,
        name: ch.name ?? '',
        type: ch.type === ChannelType.PrivateThread ? 'private' : 'public',
        parentId: ch.parent_id ?? '',
        guildId: ch.guild_id ?? '',
        ownerId: ch.owner_id,
        archived: !!meta?.archived,
        locked: !!meta?.locked,
        invitable: meta?.invitable,
        members: [...(t.threadMembers?.keys() ?? [])],
        channel: structuredClone(ch),
      };
    });
}

/** Every REST request so far (oldest first), optionally filtered. */
export function filterRequests(state: SandboxState, filter?: RequestFilter): RequestRecord[] {
  if (!filter) return [...state.requests];
  if (typeof filter === 'function') return state.requests.filter(filter);
  const pathOk =
    filter.path === undefined
      ? () => true
      : routeMatcher({ path: filter.path, ...(filter.method ? { method: filter.method } : {}) });
  return state.requests.filter(
    (r) =>
      (!filter.method || r.method === filter.method.toUpperCase()) &&
      (filter.status === undefined || r.status === filter.status) &&
      pathOk(r.method, r.path),
  );
}

/**
 * Waits until `predicate` returns something truthy; re-checked on every emulator
 * event and every 25 ms (for predicates that look elsewhere, e.g. at a database).
 */
export async function waitForState<T>(
  state: SandboxState,
  predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await predicate();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        state.events.off('change', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(25, left));
      state.events.once('change', done);
    });
  }
}
