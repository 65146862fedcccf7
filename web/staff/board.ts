// Bull Board for staff only: mounted inside the /staff context, so the session gate runs
// first. Read-only: its own write calls carry no CSRF token, and queue surgery belongs in
// the CLI, so the board shows queues and jobs but changes nothing.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { QUEUE_NAMES, type QueueHub } from '../../core/queue';

export const BOARD_PATH = '/staff/queues';

export async function bullBoard(staff: FastifyInstance, hub: QueueHub): Promise<void> {
  const adapter = new FastifyAdapter();
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(hub.queue(name), { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'nodedesk queues' } },
  });
  adapter.setBasePath(BOARD_PATH);
  await staff.register(adapter.registerPlugin(), { prefix: '/queues' });
}
