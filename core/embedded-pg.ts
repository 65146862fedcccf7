// Embedded PostgreSQL for the demo: PGlite (Postgres compiled to WebAssembly) served on a
// loopback port with the PostgreSQL wire protocol, so the product reaches it exactly as it
// reaches a real server: node-postgres pools, the Prisma pg adapter, our migration runner.
//
// PGlite is one backend (one session). Many client connections share it safely because a
// connection holds the backend from its first message until the backend is idle again
// (ReadyForQuery outside a transaction block): a transaction, or an extended-protocol
// Parse/Bind/Execute/Sync sequence, is never interleaved with another connection's
// messages. @electric-sql/pglite-socket multiplexes per message and only pins explicit
// transactions, which lets two pooled connections interleave their unnamed statements.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
// Simple query protocol, a Sync of the extended protocol: both end with ReadyForQuery.
const ENDS_CYCLE = new Set(['Q'.charCodeAt(0), 'S'.charCodeAt(0)]);
const TERMINATE = 'X'.charCodeAt(0);

/** Who may talk to the backend right now; others queue in arrival order. */
class Gate {
  private owner: number | null = null;
  private readonly waiting: Array<{ id: number; go: () => void }> = [];

  async enter(id: number): Promise<void> {
    if (this.owner === id) return;
    if (this.owner === null) {
      this.owner = id;
      return;
    }
    await new Promise<void>((go) => this.waiting.push({ id, go }));
  }

  leave(id: number): void {
    if (this.owner !== id) return;
    const next = this.waiting.shift();
    this.owner = next ? next.id : null;
    next?.go();
  }

  holds(id: number): boolean {
    return this.owner === id;
  }

  /** A closed connection gives up its place in the queue. */
  forget(id: number): void {
    const i = this.waiting.findIndex((w) => w.id === id);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}

function queryMessage(sql: string): Uint8Array {
  const body = Buffer.from(`${sql}\0`, 'utf8');
  const msg = Buffer.alloc(5 + body.length);
  msg.write('Q', 0, 'latin1');
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return msg;
}

export interface EmbeddedPostgres {
  /** postgresql://… URL of the loopback server (no password: it only listens on 127.0.0.1). */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Opens (or creates) the PGlite database in `dataDir` and serves it on 127.0.0.1.
 * The directory must not be open in another process: PGlite takes no lock of its own.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
}): Promise<EmbeddedPostgres> {
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const db = await PGlite.create(opts.dataDir);
  const gate = new Gate();
  // One message at a time reaches the backend, whatever the connection.
  let chain: Promise<unknown> = Promise.resolve();
  const exec = (msg: Uint8Array) => {
    const run = chain.then(() => db.execProtocolRaw(msg, { syncToFs: false }));
    chain = run.catch(() => {});
    return run;
  };
  const sockets = new Set<net.Socket>();
  let nextId = 1;

  const server = net.createServer((socket) => {
    const id = nextId++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let started = false;
    let closed = false;
    let work: Promise<void> = Promise.resolve();

    const finish = async () => {
      if (closed) return;
      closed = true;
      sockets.delete(socket);
      gate.forget(id);
      // A client that vanished mid-transaction must not leave the shared session in it.
      if (gate.holds(id)) {
        if (db.isInTransaction()) await exec(queryMessage('ROLLBACK')).catch(() => {});
        gate.leave(id);
      }
    };

    const handle = async (msg: Buffer, typed: boolean) => {
      await gate.enter(id);
      if (closed) {
        gate.leave(id);
        return;
      }
      const out = await exec(new Uint8Array(msg));
      if (out.length && !socket.destroyed) socket.write(out);
      // The startup answer ends with ReadyForQuery too.
      if ((!typed || ENDS_CYCLE.has(msg[0]!)) && !db.isInTransaction()) gate.leave(id);
    };

    const drain = async () => {
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const len = buffer.readInt32BE(0);
          if (buffer.length < len) return;
          const code = buffer.readInt32BE(4);
          const msg = buffer.subarray(0, len);
          buffer = buffer.subarray(len);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write('N'); // no encryption on loopback
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end(); // one backend, nothing to cancel
            return;
          }
          started = true;
          await handle(Buffer.from(msg), false);
          continue;
        }
        if (buffer.length < 5) return;
        const len = 1 + buffer.readInt32BE(1);
        if (buffer.length < len) return;
        const msg = Buffer.from(buffer.subarray(0, len));
        buffer = buffer.subarray(len);
        if (msg[0] === TERMINATE) {
          socket.end();
          await finish();
          return;
        }
        await handle(msg, true);
      }
    };

    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      work = work.then(drain).catch(() => {
        socket.destroy();
      });
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      work = work.then(finish);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir: opts.dataDir,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await chain;
      await db.close();
    },
  };
}
