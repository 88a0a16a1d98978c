import type { DocStore, StoredDoc } from '../storage/index.ts';
import type { AttachmentMeta, HistoryEntry, Ticket, TicketNote } from './types.ts';

/**
 * Fields sealed by the encrypting store (personal data: free text and files).
 * Custom fields and history changes are stored as sealed JSON: a form may ask
 * for an account or policy number, and history holds the old and new values.
 */
export const TICKET_SEALED_FIELDS = [
  'subject',
  'description',
  'text',
  'data',
  'fieldsSealed',
  'changesSealed',
] as const;

/** Every ticket-owned doc carries its customer so the seal key is `cust:<customerId>` (crypto-shredding). */
export function ticketKeyId(doc: Record<string, unknown>): string {
  return typeof doc.customerId === 'string' && doc.customerId ? `cust:${doc.customerId}` : 'pii';
}

export const ids = {
  ticket: (id: string) => `ticket:${id}`,
  note: (ticketId: string, noteId: string) => `note:${ticketId}:${noteId}`,
  attachment: (ticketId: string, attId: string) => `att:${ticketId}:${attId}`,
  history: (ticketId: string, seq: number) => `hist:${ticketId}:${String(seq).padStart(8, '0')}`,
  counter: 'counter:ticket-number',
} as const;

type TicketDoc = Omit<Ticket, 'fields'> & {
  historySeq: number;
  /** JSON of `fields`; null once the customer is shredded. */
  fieldsSealed?: string | null;
  /** Written before custom fields were sealed. */
  fields?: Record<string, string>;
};
type HistoryDoc = Omit<HistoryEntry, 'changes'> & {
  customerId?: string;
  changesSealed?: string | null;
  changes?: HistoryEntry['changes'];
};

function parsed<T>(json: string | null | undefined, legacy: T | undefined, empty: T): T {
  if (typeof json === 'string') return JSON.parse(json) as T;
  return json === null ? empty : (legacy ?? empty);
}

function toTicket(doc: StoredDoc<TicketDoc>): { ticket: Ticket; seq: number } {
  const { historySeq, fieldsSealed, fields, ...rest } = strip(doc);
  return { ticket: { ...rest, fields: parsed(fieldsSealed, fields, {}) }, seq: historySeq };
}
export type NoteDoc = TicketNote & { customerId?: string };
export type AttachmentDoc = AttachmentMeta & { customerId?: string; data: string };

function strip<T extends object>(doc: StoredDoc<T>): T {
  const { _id, _rev, ...rest } = doc;
  return rest as T;
}

/** Typed access to the tickets database; callers serialise writes per ticket. */
export class TicketRepo {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  async ticket(id: string): Promise<{ ticket: Ticket; seq: number; rev: string } | undefined> {
    const doc = await this.#db.get<TicketDoc>(ids.ticket(id));
    if (!doc) return undefined;
    return { ...toTicket(doc), rev: doc._rev };
  }

  async tickets(): Promise<Ticket[]> {
    const docs = await this.#db.list<TicketDoc>({ prefix: 'ticket:' });
    return docs.map((d) => toTicket(d).ticket);
  }

  /** Writes the ticket and its history entry (the entry first: a crash leaves an orphan entry, never a silent change). */
  async save(
    ticket: Ticket,
    prev: { seq: number; rev?: string },
    entry: Omit<HistoryEntry, 'seq'>,
  ): Promise<number> {
    const seq = prev.seq + 1;
    const { changes, ...head } = entry;
    await this.#db.create<HistoryDoc>({
      _id: ids.history(ticket.id, seq),
      ...head,
      seq,
      ...(ticket.customerId ? { customerId: ticket.customerId } : {}),
      changesSealed: JSON.stringify(changes),
    });
    const { fields, ...rest } = ticket;
    const doc: TicketDoc & { _id: string; _rev?: string } = {
      _id: ids.ticket(ticket.id),
      ...(prev.rev ? { _rev: prev.rev } : {}),
      ...rest,
      fieldsSealed: JSON.stringify(fields),
      historySeq: seq,
    };
    await this.#db.put(doc);
    return seq;
  }

  async history(ticketId: string): Promise<HistoryEntry[]> {
    return (await this.#db.list<HistoryDoc>({ prefix: `hist:${ticketId}:` })).map((d) => {
      const { customerId: _c, changesSealed, changes, ...head } = strip(d);
      return { ...head, changes: parsed(changesSealed, changes, {}) };
    });
  }

  async notes(ticketId: string): Promise<TicketNote[]> {
    return (await this.#db.list<NoteDoc>({ prefix: `note:${ticketId}:` })).map((d) => {
      const { customerId: _c, ...n } = strip(d);
      return n;
    });
  }

  async putNote(note: NoteDoc): Promise<void> {
    await this.#db.create({ _id: ids.note(note.ticketId, note.id), ...note });
  }

  async removeNote(ticketId: string, noteId: string): Promise<void> {
    const doc = await this.#db.get(ids.note(ticketId, noteId));
    if (doc) await this.#db.remove(doc._id, doc._rev);
  }

  async putAttachment(att: AttachmentDoc): Promise<void> {
    await this.#db.create({ _id: ids.attachment(att.ticketId, att.id), ...att });
  }

  async attachment(ticketId: string, attId: string): Promise<AttachmentDoc | undefined> {
    const doc = await this.#db.get<AttachmentDoc>(ids.attachment(ticketId, attId));
    return doc ? strip(doc) : undefined;
  }

  async attachments(ticketId: string): Promise<AttachmentMeta[]> {
    return (await this.#db.list<AttachmentDoc>({ prefix: `att:${ticketId}:` })).map((d) => {
      const { customerId: _c, data: _d, ...meta } = strip(d);
      return meta;
    });
  }

  /** Next per-branch ticket number; callers hold the creation lock. */
  async nextNumber(): Promise<number> {
    const doc = await this.#db.get<{ n: number }>(ids.counter);
    const n = (doc?.n ?? 0) + 1;
    await this.#db.put({ _id: ids.counter, ...(doc ? { _rev: doc._rev } : {}), n });
    return n;
  }
}
