import { networksForId } from '../accounts/node-networks';
import { waitFor } from '../test/support/wait';
import { startRealNetworksSandbox } from '../sandbox/network';
import { DEMO_NETWORK_SHAPE, DemoNetworks, demoNetworkNodes, networkShape } from './networks';

describe('demo fleet: nodes of each network', () => {
  it('has io.net, Nosana and Akash nodes with their own id forms; the timeline takes one of each down and back', async () => {
    const nodes = demoNetworkNodes(4, DEMO_NETWORK_SHAPE);
    for (const network of ['ionet', 'nosana', 'akash'] as const)
      expect(nodes.filter((n) => n.network === network)).toHaveLength(DEMO_NETWORK_SHAPE.perNetwork);
    for (const n of nodes) expect(networksForId(n.id)).toContain(n.network);
    const real = await startRealNetworksSandbox();
    try {
      const demo = new DemoNetworks(real, nodes, { ...DEMO_NETWORK_SHAPE, downMs: 100 });
      expect(real.ionet.devices.get(demo.pausedId!)?.status).toBe('paused');
      const picks = demo.outage();
      expect(picks.map((p) => p.network).sort()).toEqual(['akash', 'ionet', 'nosana']);
      expect(picks.some((p) => p.id === demo.pausedId)).toBe(false);
      const io = picks.find((p) => p.network === 'ionet')!;
      expect(real.ionet.devices.get(io.id)?.status).toBe('down');
      await waitFor(() => real.ionet.devices.get(io.id)?.status === 'up' || null, { what: 'back up' });
    } finally {
      await real.stop();
    }
  });

  it('DEMO_NETWORKS is parsed and checked', () => {
    expect(networkShape('nodes=6,every=2m,down=60s')).toEqual({
      perNetwork: 6,
      everyMs: 120_000,
      downMs: 60_000,
    });
    expect(networkShape('every=1m,down=2m')).toEqual({
      error: 'DEMO_NETWORKS: down must be shorter than every',
    });
  });
});
