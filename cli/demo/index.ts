// `nodedesk demo` from the terminal: one line with the URL on stdout, Ctrl-C stops
// everything (a second Ctrl-C exits at once).
import { startDemo, type DemoOptions } from './run';

export async function runDemo(opts: DemoOptions): Promise<void> {
  const demo = await startDemo(opts);
  process.stdout.write(`Open ${demo.url}\n`);
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write('Stopping the demo…\n');
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
