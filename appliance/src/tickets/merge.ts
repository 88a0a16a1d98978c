import { actorOpts, type TicketCore } from './core.ts';
import { TicketsError } from './errors.ts';
import type { TicketLifecycle } from './service.ts';
import type { Ticket, TicketActor } from './types.ts';
import type { WorkflowRegistry } from './workflows.ts';

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

/** Merge and split keep every history entry: each side records what moved and where. */
export class TicketMerger {
  #core: TicketCore;
  #lifecycle: TicketLifecycle;
  #workflows: WorkflowRegistry;

  constructor(core: TicketCore, options: { lifecycle: TicketLifecycle; workflows: WorkflowRegistry }) {
    this.#core = core;
    this.#lifecycle = options.lifecycle;
    this.#workflows = options.workflows;
  }

  async #moveNotes(from: Ticket, to: Ticket, noteIds?: string[]): Promise<string[]> {
    const repo = this.#core.repo;
    const notes = (await repo.notes(from.id)).filter((n) => !noteIds || noteIds.includes(n.id));
    for (const n of notes) {
      // Re-sealed under the receiving ticket's customer key by the encrypting store.
      await repo.putNote({ ...n, ticketId: to.id, ...(to.customerId ? { customerId: to.customerId } : {}) });
      await repo.removeNote(from.id, n.id);
    }
    return notes.map((n) => n.id);
  }

  /** Closes `sourceId` with a link to `targetId`; its notes, links and tags move to the target. */
  async merge(sourceId: string, targetId: string, actor: TicketActor): Promise<Ticket> {
    if (sourceId === targetId) {
      throw new TicketsError('TICKETS_INVALID_REQUEST', 'Cannot merge a ticket into itself', { status: 400 });
    }
    const core = this.#core;
    const source = await core.load(sourceId);
    const target = await core.load(targetId);
    if (source.links.mergedInto || target.links.mergedInto) {
      throw new TicketsError('TICKETS_CLOSED', 'A merged ticket cannot be merged again', { status: 409 });
    }
    const wf = await this.#workflows.get(source.workflowId, source.workflowVersion);
    const closed = wf.states.find((s) => s.category === 'closed')!.id;
    const moved = await this.#moveNotes(source, target);
    const { ticket } = await core.mutate(
      targetId,
      actor,
      'merged_in',
      (t) => {
        t.links.conversationIds = union(t.links.conversationIds, source.links.conversationIds);
        t.links.contactIds = union(t.links.contactIds, source.links.contactIds);
        t.links.mergedFrom = union(t.links.mergedFrom, [sourceId]);
        t.tags = union(t.tags, source.tags);
      },
      { notes: { to: moved } },
    );
    await core.mutate(
      sourceId,
      actor,
      'merged_away',
      (t) => {
        t.links.mergedInto = targetId;
        t.state = closed;
        if (!t.visited.includes(closed)) t.visited.push(closed);
        if (t.sla) t.sla = { ...t.sla, due: {} };
      },
      { notes: { from: moved, to: [] } },
    );
    await core.bus.publish('ticket.merged', { ticketId: sourceId, intoTicketId: targetId }, actorOpts(actor));
    return ticket;
  }

  /** A new ticket from the chosen notes of `ticketId`; the notes move, both histories say so. */
  async split(ticketId: string, noteIds: string[], options: { subject?: string }, actor: TicketActor) {
    const core = this.#core;
    const source = await core.load(ticketId);
    const notes = (await core.repo.notes(ticketId)).filter((n) => noteIds.includes(n.id));
    const missing = noteIds.filter((id) => !notes.some((n) => n.id === id));
    if (notes.length === 0 || missing.length > 0) {
      throw new TicketsError('TICKETS_INVALID_REQUEST', 'Split needs existing notes of the ticket', {
        status: 400,
        details: { missing },
      });
    }
    const created = await this.#lifecycle.create(
      {
        subject: options.subject ?? `${source.subject} (split)`,
        description: notes.map((n) => n.text).join('\n\n'),
        ...(source.customerId ? { customerId: source.customerId } : {}),
        language: source.language,
        priority: source.priority,
        workflowId: source.workflowId,
        conversationIds: source.links.conversationIds,
        contactIds: source.links.contactIds,
      },
      actor,
    );
    await this.#moveNotes(source, created, noteIds);
    const { ticket } = await core.mutate(
      created.id,
      actor,
      'split_from',
      (t) => {
        t.links.splitFrom = ticketId;
      },
      { notes: { to: noteIds } },
    );
    await core.record(ticketId, actor, 'split', {
      notes: { from: noteIds, to: [] },
      splitInto: { to: created.id },
    });
    await core.bus.publish('ticket.split', { ticketId, newTicketId: created.id, noteIds }, actorOpts(actor));
    return ticket;
  }
}
