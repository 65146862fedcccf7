import { startNetworkSandbox, type NetworkSandbox, type NodesPage } from './index';

let net: NetworkSandbox;

beforeEach(async () => {
  net = await startNetworkSandbox();
});
afterEach(() => net.stop());

async function getPage(query: string): Promise<{ status: number; body: NodesPage & { error?: string } }> {
  const res = await fetch(`${net.baseUrl}/nodes${query}`);
  return { status: res.status, body: (await res.json()) as NodesPage & { error?: string } };
}

describe('GET /nodes', () => {
  it('pages through every node exactly once while nodes are added and updated mid-walk', async () => {
    const fleet = net.generateFleet({ count: 1234, ownerCount: 50, seed: 7 });
    const seen: string[] = [];
    const added: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await getPage(
        `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(status).toBe(200);
      seen.push(...body.nodes.map((n) => n.id));
      cursor = body.next_cursor;
      pages++;
      if (pages <= 3) {
        // New nodes join and existing ones change while the poller is mid-walk.
        const id = `late-node-${pages}`;
        net.upsertNode({ id, owner_wallet: fleet.owners[0]! });
        added.push(id);
        net.setStatus(fleet.nodes[pages]!.id, 'offline');
      }
    } while (cursor);

    expect(pages).toBe(13);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...fleet.nodes.map((n) => n.id), ...added]);
    expect(seen).toEqual(net.nodes().map((n) => n.id));
  });

  it('serves the reference node shape with a default page of 500', async () => {
    net.generateFleet({ count: 600, seed: 1 });
    const { body } = await getPage('');
    expect(body.nodes).toHaveLength(500);
    expect(typeof body.next_cursor).toBe('string');
    expect(Buffer.from(body.next_cursor!, 'base64url').length).toBeGreaterThan(0);
    const node = body.nodes[0]!;
    expect(Object.keys(node).sort()).toEqual(
      [
        'benchmark_tflops',
        'gpu_count',
        'gpu_model',
        'gpu_uuids',
        'id',
        'ip_hash',
        'last_seen',
        'owner_wallet',
        'status',
      ].sort(),
    );
    expect(new Date(node.last_seen).toISOString()).toBe(node.last_seen);
    expect(node.gpu_uuids).toHaveLength(node.gpu_count);
    const last = await getPage(`?cursor=${body.next_cursor}`);
    expect(last.body).toMatchObject({ next_cursor: null });
    expect(last.body.nodes).toHaveLength(100);
  });

  it.each(['0', '1001', '-5', 'abc', '2.5'])('rejects limit=%s with a JSON 400', async (limit) => {
    const { status, body } = await getPage(`?limit=${limit}`);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_limit');
  });

  it('accepts limit 1000 and rejects a cursor it never issued', async () => {
    net.generateFleet({ count: 1500, seed: 2 });
    expect((await getPage('?limit=1000')).body.nodes).toHaveLength(1000);
    const bad = await getPage('?cursor=not-a-cursor');
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
  });

  it('answers an empty network with an empty last page', async () => {
    expect(await getPage('')).toEqual({ status: 200, body: { nodes: [], next_cursor: null } });
  });
});

describe('GET /nodes/:id and control API', () => {
  it('returns one node or 404, reflecting status changes and removal', async () => {
    net.upsertNode({
      id: 'node-aaaa-1',
      owner_wallet: 'W1',
      gpu_model: 'NVIDIA A100-SXM4-80GB',
      gpu_count: 4,
    });
    const seenAt = new Date('2030-01-01T00:00:00.000Z');
    net.setStatus('node-aaaa-1', 'offline', seenAt);
    const res = await fetch(`${net.baseUrl}/nodes/node-aaaa-1`);
    expect(await res.json()).toMatchObject({
      id: 'node-aaaa-1',
      status: 'offline',
      last_seen: seenAt.toISOString(),
      owner_wallet: 'W1',
      gpu_count: 4,
      gpu_uuids: expect.arrayContaining([expect.stringMatching(/^GPU-/)]),
    });
    expect(net.removeNode('node-aaaa-1')).toBe(true);
    const gone = await fetch(`${net.baseUrl}/nodes/node-aaaa-1`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: 'not_found' });
  });

  it('answers 503 while down (or resets the connection), and serves again after up()', async () => {
    net.upsertNode({ id: 'node-1' });
    net.down();
    const down = await fetch(`${net.baseUrl}/nodes`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: 'unavailable' });

    net.down({ reset: true });
    await expect(fetch(`${net.baseUrl}/nodes`)).rejects.toThrow();

    net.up();
    expect((await getPage('')).body.nodes).toHaveLength(1);
    expect(net.requests().map((r) => r.status)).toEqual([503, 0, 200]);
  });

  it('fails the next requests on demand, with Retry-After', async () => {
    net.failNext({ status: 429, count: 2, retryAfter: 3 });
    const first = await fetch(`${net.baseUrl}/nodes`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await fetch(`${net.baseUrl}/nodes`)).status).toBe(429);
    expect((await fetch(`${net.baseUrl}/nodes`)).status).toBe(200);
    expect(net.requests().map((r) => r.query)).toEqual([{}, {}, {}]);
  });

  it('requires the API key when configured', async () => {
    const keyed = await startNetworkSandbox({ apiKey: 'k1' });
    try {
      expect((await fetch(`${keyed.baseUrl}/nodes`)).status).toBe(401);
      const ok = await fetch(`${keyed.baseUrl}/nodes`, { headers: { authorization: 'Bearer k1' } });
      expect(ok.status).toBe(200);
    } finally {
      await keyed.stop();
    }
  });
});
