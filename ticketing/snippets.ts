// Canned replies staff keep and send with /snippet <name>. Managing them is staff-only.
import type { PrismaClient, TicketSnippet } from '@prisma/client';
import type { Actor, StaffGate } from './actor';
import { TicketError } from './errors';

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export class Snippets {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly gate: StaffGate,
  ) {}

  /** `name text…` as typed after the command. */
  async save(actor: Actor, input: string): Promise<TicketSnippet> {
    this.gate.check(actor, 'snippet.save');
    const m = /^\s*(\S+)\s+([\s\S]+)$/.exec(input);
    const name = m?.[1]?.toLowerCase() ?? '';
    const body = m?.[2]?.trim() ?? '';
    if (!NAME.test(name) || !body) throw new TicketError('bad_snippet');
    return this.gate.run(actor, 'snippet.save', { type: 'snippet', id: name }, async (tx) => ({
      result: await tx.ticketSnippet.upsert({
        where: { name },
        create: { name, body: body.slice(0, 2000), updatedById: actor.identityId },
        update: { body: body.slice(0, 2000), updatedById: actor.identityId },
      }),
      details: { length: body.length },
    }));
  }

  async remove(actor: Actor, rawName: string): Promise<void> {
    this.gate.check(actor, 'snippet.delete');
    const name = rawName.trim().toLowerCase();
    await this.gate.run(actor, 'snippet.delete', { type: 'snippet', id: name }, async (tx) => {
      const res = await tx.ticketSnippet.deleteMany({ where: { name } });
      if (res.count === 0) throw new TicketError('snippet_missing', { name: name.slice(0, 32) });
      return { result: undefined };
    });
  }

  async list(actor: Actor): Promise<TicketSnippet[]> {
    this.gate.check(actor, 'snippet.save');
    return this.prisma.ticketSnippet.findMany({ orderBy: { name: 'asc' } });
  }
}
