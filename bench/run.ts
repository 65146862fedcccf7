// `npm run bench`: every benchmark, one after the other, printing its figures.
// One alone: `npm run bench -- ingest` (ingest, sweep, deliver, storm, flood, rss, bots, tickets, fleet).
import { benchDeliver } from './alerts/deliver';
import { benchFlood } from './alerts/flood';
import { benchIngest } from './alerts/ingest';
import { benchRss } from './alerts/rss';
import { benchStorm } from './alerts/storm';
import { benchSweep } from './alerts/sweep';
import { benchBots } from './bots/bots';
import { benchFleet } from './dashboard/fleet';
import { benchTickets } from './tickets/tickets';

const all: Record<string, () => Promise<unknown>> = {
  ingest: benchIngest,
  sweep: benchSweep,
  deliver: benchDeliver,
  storm: benchStorm,
  flood: benchFlood,
  rss: benchRss,
  bots: benchBots,
  tickets: benchTickets,
  fleet: benchFleet,
};

async function main() {
  const wanted = process.argv.slice(2).filter((a) => a in all);
  for (const name of wanted.length ? wanted : Object.keys(all)) await all[name]!();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
