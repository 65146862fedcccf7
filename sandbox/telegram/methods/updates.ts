import type { Update, WebhookInfo } from '@grammyjs/types';
import type { MethodContext, MethodSpec } from '../api';
import { ApiError, badRequest, conflict } from '../errors';
import type { World } from '../state';

/** The long poll waiting right now, by world: a newer getUpdates or setWebhook ends it with 409. */
const activePoll = new WeakMap<World, (err: ApiError) => void>();

export function endActivePoll(world: World, err: ApiError): void {
  activePoll.get(world)?.(err);
}

function readAllowedUpdates(ctx: MethodContext): string[] | undefined {
  const allowed = ctx.params.json<unknown>('allowed_updates');
  if (allowed === undefined) return undefined;
  if (!Array.isArray(allowed)) throw badRequest("can't parse allowed_updates JSON array");
  return allowed.map(String);
}

async function getUpdates(ctx: MethodContext): Promise<Update[]> {
  const { world, params } = ctx;
  if (world.webhook) {
    throw conflict(
      "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
  }
  const offset = params.int('offset');
  const limit = Math.min(100, Math.max(1, params.int('limit') ?? 100));
  const timeout = Math.max(0, params.int('timeout') ?? 0);
  if (params.has('allowed_updates')) {
    const allowed = readAllowedUpdates(ctx);
    world.allowedUpdates = allowed && allowed.length > 0 ? allowed : undefined;
  }
  if (offset !== undefined) world.confirm(offset);
  endActivePoll(
    world,
    conflict('terminated by other getUpdates request; make sure that only one bot instance is running'),
  );

  const batch = (): Update[] => structuredClone(world.pending.slice(0, limit));
  if (world.pending.length > 0 || timeout === 0 || world.stopped) return batch();

  await new Promise<void>((resolve, reject) => {
    const finish = (err?: ApiError): void => {
      clearTimeout(timer);
      world.off('update', onUpdate);
      world.off('stop', onStop);
      ctx.signal.removeEventListener('abort', onStop);
      if (activePoll.get(world) === finish) activePoll.delete(world);
      world.heldPolls--;
      if (err) reject(err);
      else resolve();
    };
    const onUpdate = (): void => {
      if (world.pending.length > 0) finish();
    };
    const onStop = (): void => finish();
    const timer = setTimeout(onStop, timeout * 1000);
    activePoll.set(world, finish);
    world.on('update', onUpdate);
    world.on('stop', onStop);
    ctx.signal.addEventListener('abort', onStop);
    world.heldPolls++;
    world.changed();
  });
  return world.webhook ? [] : batch();
}

function dropPending(ctx: MethodContext): void {
  if (!ctx.params.bool('drop_pending_updates')) return;
  ctx.world.confirm(ctx.world.lastUpdateId + 1);
}

function deleteWebhook(ctx: MethodContext): true {
  dropPending(ctx);
  ctx.description = ctx.world.webhook ? 'Webhook was deleted' : 'Webhook is already deleted';
  ctx.world.webhook = undefined;
  return true;
}

function setWebhook(ctx: MethodContext): true {
  const { world, params } = ctx;
  const url = params.str('url') ?? '';
  if (!url) return deleteWebhook(ctx);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('invalid webhook URL specified');
  }
  // Real Telegram wants HTTPS on ports 443/80/88/8443; loopback tests need plain HTTP on any port.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  }
  const secretToken = params.str('secret_token');
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
    throw badRequest('secret token contains unallowed characters');
  }
  const maxConnections = params.int('max_connections') ?? 40;
  if (maxConnections < 1 || maxConnections > 100) throw badRequest('invalid max_connections specified');
  const allowedUpdates = readAllowedUpdates(ctx);
  dropPending(ctx);
  endActivePoll(world, conflict('terminated by setWebhook request'));
  const unchanged = world.webhook?.url === url && world.webhook.secretToken === secretToken;
  world.webhook = {
    url,
    maxConnections,
    ...(secretToken ? { secretToken } : {}),
    ...(allowedUpdates && allowedUpdates.length > 0 ? { allowedUpdates } : {}),
  };
  ctx.description = unchanged ? 'Webhook is already set' : 'Webhook was set';
  world.emit('webhook');
  return true;
}

function getWebhookInfo(ctx: MethodContext): WebhookInfo {
  const { world } = ctx;
  const hook = world.webhook;
  return {
    url: hook?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: world.pending.length,
    ...(hook ? { max_connections: hook.maxConnections, ip_address: '127.0.0.1' } : {}),
    ...(hook?.lastErrorDate
      ? { last_error_date: hook.lastErrorDate, last_error_message: hook.lastErrorMessage ?? '' }
      : {}),
    ...(hook?.allowedUpdates
      ? { allowed_updates: hook.allowedUpdates as WebhookInfo['allowed_updates'] }
      : {}),
  };
}

export const updateMethods: MethodSpec[] = [
  { name: 'getUpdates', run: getUpdates },
  { name: 'setWebhook', run: setWebhook },
  { name: 'deleteWebhook', run: deleteWebhook },
  { name: 'getWebhookInfo', run: getWebhookInfo },
];
