import type { EventBus } from '../events/index.ts';
import { KeyedLock } from '../storage/index.ts';
import { notFound } from './errors.ts';
import type { TicketRepo } from './store.ts';
import type { HistoryEntry, Ticket, TicketActor } from './types.ts';

/** Text fields whose values are personal: history says that they changed, never what to. */
const PRIVATE = new Set(['subject', 'description']);

function diff(before: Ticket | undefined, after: Ticket): HistoryEntry['changes'] {
  const out: HistoryEntry['changes'] = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]) as Set<keyof Ticket>;
  for (const k of keys) {
    if (k === 'updatedAt') continue;
    const a = before?.[k];
    const b = after[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    out[k] = PRIVATE.has(k) ? { to: '(changed)' } : { ...(a === undefined ? {} : { from: a }), to: b };
  }
  return out;
}

export const actorOpts = (a: Pick<TicketActor, 'userId' | 'source'>) =>
  a.source === undefined ? { actor: a.userId } : { actor: a.userId, source: a.source };

/**
 * Read-modify-write of one ticket under a per-ticket lock; each write stores
 * a history entry and publishes `ticket.updated`.
 */
export class TicketCore {
  readonly repo: TicketRepo;
  readonly bus: EventBus;
  readonly now: () => Date;
  #lock = new KeyedLock();

  constructor(repo: TicketRepo, options: { bus: EventBus; now: () => Date }) {
    this.repo = repo;
    this.bus = options.bus;
    this.now = options.now;
  }

  async load(id: string): Promise<Ticket> {
    const found = await this.repo.ticket(id);
    if (!found) throw notFound('ticket', id);
    return found.ticket;
  }

  /**
   * Stores a new ticket and publishes `ticket.updated`; `alongside` publishes more events in the
   * same tick, so their audit records share one durable commit instead of one each in turn.
   */
  async insert(
    ticket: Ticket,
    actor: Pick<TicketActor, 'userId' | 'source'>,
    alongside?: () => Promise<unknown>,
  ): Promise<void> {
    await this.#lock.run(ticket.id, async () => {
      await this.repo.save(ticket, { seq: 0 }, this.#entry(undefined, ticket, actor, 'created'));
    });
    await Promise.all([this.#published(ticket, 'created', Object.keys(ticket), actor), alongside?.()]);
  }

  /** Applies `change` to a copy of the ticket and saves it; a no-op change writes nothing. */
  async mutate<R>(
    id: string,
    actor: Pick<TicketActor, 'userId' | 'source'>,
    action: string,
    change: (t: Ticket) => R | Promise<R>,
    extra: HistoryEntry['changes'] = {},
  ): Promise<{ ticket: Ticket; before: Ticket; result: R }> {
    const out = await this.#lock.run(id, async () => {
      const found = await this.repo.ticket(id);
      if (!found) throw notFound('ticket', id);
      const before = found.ticket;
      const ticket = structuredClone(before);
      const result = await change(ticket);
      const entry = this.#entry(before, ticket, actor, action);
      Object.assign(entry.changes, extra);
      if (Object.keys(entry.changes).length === 0) return { ticket: before, before, result, fields: [] };
      ticket.updatedAt = entry.at;
      await this.repo.save(ticket, found, entry);
      return { ticket, before, result, fields: Object.keys(entry.changes) };
    });
    if (out.fields.length > 0) await this.#published(out.ticket, action, out.fields, actor);
    return { ticket: out.ticket, before: out.before, result: out.result };
  }

  /** Records an action that changed no ticket field (a note, an attachment) in the history. */
  async record(
    id: string,
    actor: Pick<TicketActor, 'userId' | 'source'>,
    action: string,
    what: HistoryEntry['changes'],
  ): Promise<void> {
    await this.mutate(id, actor, action, () => undefined, what);
  }

  #entry(before: Ticket | undefined, after: Ticket, actor: Pick<TicketActor, 'userId'>, action: string) {
    return {
      ticketId: after.id,
      at: this.now().toISOString(),
      actor: actor.userId,
      action,
      changes: diff(before, after),
    };
  }

  async #published(
    t: Ticket,
    action: string,
    fields: string[],
    actor: Pick<TicketActor, 'userId' | 'source'>,
  ): Promise<void> {
    await this.bus.publish(
      'ticket.updated',
      { ticketId: t.id, number: t.number, action, fields },
      { ...actorOpts(actor), at: this.now() },
    );
  }
}
