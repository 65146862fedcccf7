import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import {
  type ApplicationFlags,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { DispatchMeta, Dispatcher, SandboxState } from './state';

export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  invalidSessions: number;
  /** Dispatches sent or queued for replay, across sessions. */
  dispatches: number;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  /** Everything dispatched, for replay on RESUME (bounded). */
  backlog: { s: number; text: string }[];
  socket: WebSocket | undefined;
  /** Identified and given its GUILD_CREATE (or resumed): events now reach the client. */
  ready: boolean;
  disconnectedAt: number | undefined;
}

const BACKLOG_LIMIT = 5_000;
// Discord keeps a session resumable for a while after the socket drops.
const RESUME_WINDOW_MS = 5 * 60_000;
const CONTENT_FIELDS = { content: '', embeds: [], attachments: [], components: [] };

export class Gateway implements Dispatcher {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly serverClosed = new WeakSet<WebSocket>();
  readonly stats: GatewayStats = {
    connections: 0,
    identifies: 0,
    resumes: 0,
    invalidSessions: 0,
    dispatches: 0,
  };
  url = '';

  constructor(
    private readonly state: SandboxState,
    private readonly heartbeatIntervalMs: number,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** A client is connected and past IDENTIFY/RESUME, so dispatches arrive now. */
  hasLiveSession(): boolean {
    return [...this.sessions.values()].some((s) => s.ready && s.socket);
  }

  /** A client is connected or may still resume, so dispatches will arrive eventually. */
  hasSession(): boolean {
    this.expire();
    return this.sessions.size > 0;
  }

  dispatch(event: GatewayDispatchEvents, data: unknown, meta: DispatchMeta = {}): void {
    this.expire();
    for (const session of this.sessions.values()) {
      if (meta.intent !== undefined && !(session.intents & meta.intent)) continue;
      let d = data;
      if (meta.contentExempt === false && !(session.intents & GatewayIntentBits.MessageContent)) {
        d = { ...(data as object), ...CONTENT_FIELDS };
      }
      this.send(session, event, d);
    }
  }

  /** Drop every connection with `code`; 4000 (default) makes discord.js resume, 1000 makes it identify anew. */
  disconnect(
    code = GatewayCloseCodes.UnknownError as number,
    opts: { invalidateSession?: boolean } = {},
  ): void {
    for (const session of this.sessions.values()) {
      const ws = session.socket;
      if (!ws) continue;
      if (opts.invalidateSession) {
        this.sessions.delete(session.id);
        this.stats.invalidSessions += 1;
        ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
        continue;
      }
      this.serverClosed.add(ws);
      ws.close(code, 'sandbox disconnect');
    }
  }

  /** Op 7: Discord asks the client to reconnect and resume. */
  requestReconnect(): void {
    for (const session of this.sessions.values()) {
      if (session.socket) {
        this.serverClosed.add(session.socket);
        session.socket.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
      }
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    this.stats.connections += 1;
    let session: Session | undefined;
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Hello,
        d: { heartbeat_interval: this.heartbeatIntervalMs },
        s: null,
        t: null,
      }),
    );

    ws.on('message', (raw: RawData) => {
      let msg: { op?: number; d?: any };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        ws.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
        return;
      }
      switch (msg.op) {
        case GatewayOpcodes.Heartbeat:
          ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null }));
          return;
        case GatewayOpcodes.Identify:
          if (session) return void ws.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
          session = this.identify(ws, msg.d);
          return;
        case GatewayOpcodes.Resume:
          if (session) return void ws.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
          session = this.resume(ws, msg.d);
          return;
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
          if (!session) ws.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
          return;
        case GatewayOpcodes.RequestGuildMembers:
          if (!session) return void ws.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
          this.membersChunk(session, msg.d ?? {});
          return;
        default:
          ws.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
      }
    });

    ws.on('close', (code: number) => {
      if (!session || session.socket !== ws) return;
      session.socket = undefined;
      session.ready = false;
      session.disconnectedAt = Date.now();
      // A client closing with 1000/1001 ends its session, as on Discord.
      if (!this.serverClosed.has(ws) && (code === 1000 || code === 1001)) this.sessions.delete(session.id);
      this.state.changed();
    });
    ws.on('error', () => {});
  }

  private tokenOk(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot /, '') === this.state.token;
  }

  private identify(ws: WebSocket, d: { token?: string; intents?: number }): Session | undefined {
    if (!this.tokenOk(d?.token)) {
      ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return undefined;
    }
    if (typeof d.intents !== 'number') {
      ws.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
      return undefined;
    }
    this.stats.identifies += 1;
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents: d.intents,
      seq: 0,
      backlog: [],
      socket: ws,
      ready: false,
      disconnectedAt: undefined,
    };
    this.sessions.set(session.id, session);
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: { ...this.state.bot, verified: true, mfa_enabled: false },
      guilds: [...this.state.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard: [0, 1],
      application: { id: this.state.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
    };
    this.send(session, GatewayDispatchEvents.Ready, ready);
    // Without GUILD_CREATE discord.js keeps a guild unavailable and drops its events; one per guild.
    if (session.intents & GatewayIntentBits.Guilds)
      for (const id of this.state.guilds.keys())
        this.send(session, GatewayDispatchEvents.GuildCreate, this.state.guildCreate(id));
    session.ready = true;
    this.state.changed();
    return session;
  }

  private resume(
    ws: WebSocket,
    d: { token?: string; session_id?: string; seq?: number },
  ): Session | undefined {
    this.expire();
    const session = d?.session_id ? this.sessions.get(d.session_id) : undefined;
    if (!this.tokenOk(d?.token)) {
      ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return undefined;
    }
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    if (!session || seq > session.seq) {
      this.stats.invalidSessions += 1;
      ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null }));
      return undefined;
    }
    if (session.socket && session.socket !== ws) {
      this.serverClosed.add(session.socket);
      session.socket.close(GatewayCloseCodes.SessionTimedOut, 'Session resumed elsewhere.');
    }
    this.stats.resumes += 1;
    session.socket = ws;
    session.disconnectedAt = undefined;
    for (const entry of session.backlog) if (entry.s > seq) ws.send(entry.text);
    this.send(session, GatewayDispatchEvents.Resumed, {});
    session.ready = true;
    this.state.changed();
    return session;
  }

  private membersChunk(
    session: Session,
    d: { guild_id?: string; user_ids?: string | string[]; query?: string; limit?: number; nonce?: string },
  ): void {
    // Discord answers nothing for a guild the bot is not in.
    const guild = d.guild_id ? this.state.guild(d.guild_id) : undefined;
    if (!guild) return;
    const ids = d.user_ids === undefined ? undefined : ([] as string[]).concat(d.user_ids);
    const query = (d.query ?? '').toLowerCase();
    const members = [this.state.bot.id, ...guild.members.keys()]
      .map((id) => this.state.member(id, guild.id))
      .filter((m) => !!m)
      .filter((m) => (ids ? ids.includes(m.user.id) : m.user.username.toLowerCase().startsWith(query)))
      .slice(0, d.limit || undefined);
    const notFound = ids ? ids.filter((id) => !members.some((m) => m.user.id === id)) : [];
    this.send(session, GatewayDispatchEvents.GuildMembersChunk, {
      guild_id: guild.id,
      members,
      chunk_index: 0,
      chunk_count: 1,
      ...(notFound.length ? { not_found: notFound } : {}),
      ...(d.nonce ? { nonce: d.nonce } : {}),
    });
  }

  private send(session: Session, t: GatewayDispatchEvents, d: unknown): void {
    session.seq += 1;
    const text = JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s: session.seq, d });
    session.backlog.push({ s: session.seq, text });
    if (session.backlog.length > BACKLOG_LIMIT)
      session.backlog.splice(0, session.backlog.length - BACKLOG_LIMIT);
    this.stats.dispatches += 1;
    if (session.socket && session.socket.readyState === session.socket.OPEN) session.socket.send(text);
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (!s.socket && s.disconnectedAt !== undefined && now - s.disconnectedAt > RESUME_WINDOW_MS)
        this.sessions.delete(id);
    }
  }
}
