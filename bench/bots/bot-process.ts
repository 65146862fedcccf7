// The measured process of the bots benchmark: the bots role alone, as production runs it.
// The emulators and the 200 emulated users live in the parent process, so the figures
// measure our process, not the load generator sharing its event loop. Driven over IPC:
// `start` (config) → `ready`; `measure` (samples count from now); `stop` → `samples`.
import { parseConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startRuntime, type Runtime } from '../../cli/runtime';
import { timePhases, type PhaseTimes } from './phases';

export interface Sample {
  platform: string;
  kind: string;
  ms: number;
}
export type ToChild = { kind: 'start'; env: Record<string, string> } | { kind: 'measure' } | { kind: 'stop' };
export type FromChild =
  | { kind: 'ready' }
  | {
      kind: 'samples';
      latency: Sample[];
      routing: Sample[];
      cpuMs: number;
      elapsedMs: number;
      /** Event-loop delay p50 / p99 / max (ms): how long ready work waited for the CPU. */
      loopDelay: [number, number, number];
      phases: PhaseTimes;
    }
  | { kind: 'failed'; message: string };

let runtime: Runtime | undefined;
let measuring = false;
let cpuAt = process.cpuUsage();
let measuredFrom = performance.now();
const latency: Sample[] = [];
const routing: Sample[] = [];
const send = (m: FromChild) => process.send!(m);
// Exits once the message is handed to the IPC channel: a large `samples` message sent just
// before process.exit was lost, and the parent saw only the exit.
const sendThenExit = (m: FromChild, code: number) => process.send!(m, () => process.exit(code));
const loop = monitorEventLoopDelay({ resolution: 5 });
// BENCH_PHASES=1: time the router's steps (identity, roles, database) to find where time goes.
const phases = process.env.BENCH_PHASES ? timePhases(() => measuring) : () => ({});

// A parent that died (a failed run) must not leave the bots running.
process.on('disconnect', () => process.exit(1));

process.on('message', async (msg: ToChild) => {
  try {
    if (msg.kind === 'start') {
      runtime = await startRuntime({
        config: parseConfig(msg.env),
        roles: ['bots'],
        logger: createLogger({ level: 'error' }),
        observeLatency: (platform, kind, ms) => void (measuring && latency.push({ platform, kind, ms })),
        observeRouting: (kind, ms) => void (measuring && routing.push({ platform: '', kind, ms })),
      });
      send({ kind: 'ready' });
    } else if (msg.kind === 'measure') {
      measuring = true;
      loop.enable();
      cpuAt = process.cpuUsage();
      measuredFrom = performance.now();
    } else {
      measuring = false;
      const cpu = process.cpuUsage(cpuAt);
      const elapsedMs = performance.now() - measuredFrom;
      await runtime?.stop();
      loop.disable();
      const ms = (ns: number) => ns / 1e6;
      sendThenExit(
        {
          kind: 'samples',
          latency,
          routing,
          cpuMs: (cpu.user + cpu.system) / 1000,
          elapsedMs,
          loopDelay: [ms(loop.percentile(50)), ms(loop.percentile(99)), ms(loop.max)],
          phases: phases(),
        },
        0,
      );
    }
  } catch (err) {
    sendThenExit({ kind: 'failed', message: (err as Error).message }, 1);
  }
});
