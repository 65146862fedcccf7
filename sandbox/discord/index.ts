import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DiscordSandbox } from './control';
import { FailurePlan } from './failures';
import { Gateway } from './gateway';
import { snowflake } from './ids';
import { RateLimiter, type LimitsOption } from './rate-limits';
import { createRestHandler } from './rest';
import { appRoutes } from './routes-app';
import { channelRoutes } from './routes-channels';
import { interactionRoutes } from './routes-interactions';
import { SandboxState, type GuildOptions } from './state';

export interface DiscordSandboxOptions {
  token?: string;
  /** Also the bot's user id, as on Discord. */
  applicationId?: string;
  botUsername?: string;
  guild?: GuildOptions;
  /** HELLO's heartbeat_interval (default 41250 ms, like Discord). */
  heartbeatIntervalMs?: number;
  /** Rate limits; `false` disables them (no headers either). */
  limits?: LimitsOption;
  /** Time the bot has to answer an interaction callback (default 3000 ms, like Discord). */
  interactionAckMs?: number;
  /** Port on 127.0.0.1 (default: any free one). */
  port?: number;
}

/** Starts a Discord REST v10 + gateway emulator on 127.0.0.1 for the real discord.js client. */
export async function startDiscordSandbox(opts: DiscordSandboxOptions = {}): Promise<DiscordSandbox> {
  const applicationId = opts.applicationId ?? snowflake();
  const token =
    opts.token ??
    `${Buffer.from(applicationId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(20).toString('base64url')}`;
  const state = new SandboxState({
    token,
    applicationId,
    ...(opts.botUsername ? { botUsername: opts.botUsername } : {}),
    ...(opts.guild ? { guild: opts.guild } : {}),
  });
  if (opts.interactionAckMs !== undefined) state.interactionAckMs = opts.interactionAckMs;
  const gateway = new Gateway(state, opts.heartbeatIntervalMs ?? 41_250);
  state.dispatcher = gateway;
  const failures = new FailurePlan();
  const handler = createRestHandler({
    state,
    limiter: new RateLimiter(opts.limits),
    failures,
    routes: [...appRoutes(() => gateway.url), ...channelRoutes(), ...interactionRoutes()],
  });
  const server = createServer(handler);
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (path === '/gateway' || path === '/gateway/') gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  gateway.url = `ws://127.0.0.1:${port}/gateway`;
  return new DiscordSandbox(state, gateway, failures, server, state.origin);
}

export { DiscordSandbox, ChannelHandle, type RequestFilter, type ThreadInfo } from './control';
export { SandboxUser, type MessageRef, type ModalValues } from './user';
export { InteractionHandle, type SlashOptions, type OptionValue } from './interactions';
export type { GatewayStats } from './gateway';
export type { LimitsOption, BucketLimit, BucketName } from './rate-limits';
export { DEFAULT_BUCKETS } from './rate-limits';
export type { RouteMatcher, InjectedFailure, FailureRates } from './failures';
export type { GuildOptions, UserOptions } from './state';
export type { GuildInfo } from './guild';
export type {
  Pinged,
  SentMessage,
  SandboxFile,
  RequestRecord,
  InteractionResponseRecord,
  ModalRecord,
} from './types';
