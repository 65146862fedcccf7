// The embedded PostgreSQL in a child process: PGlite loads its WebAssembly with a dynamic
// import, which Jest's module sandbox refuses, and a separate process is how the demo's
// pools see it anyway (over loopback TCP).
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export async function spawnEmbeddedPostgres(
  dataDir: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const script = `require('./core/embedded-pg').startEmbeddedPostgres({ dataDir: process.argv[1] })
    .then((e) => { process.stdout.write(e.url + '\\n'); process.on('SIGTERM', () => e.stop().then(() => process.exit(0))); })
    .catch((err) => { console.error(err); process.exit(1); });`;
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script, dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
