import { type DocStore, StorageError, type StoredDoc } from '../storage/index.ts';
import { type IndexDoc, type IndexFilter, indexKeys, listingPrefix } from './list-index.ts';
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
  /** One per numbered ticket, written in the ticket's own commit: the highest is the counter. */
  number: (n: number) => `num:${String(n).padStart(12, '0')}`,
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

const BACKFILL_ID = 'meta:tix-backfill:v1';

function indexDoc(key: string, ticketId: string): IndexDoc & { _id: string } {
  return { _id: key, ticketId };
}

/** 123 from `BR-000123`. */
function numberOf(number: string): number | undefined {
  const m = /(\d+)$/.exec(number);
  return m ? Number(m[1]) : undefined;
}

function writeFailed(id: string, row: { error: string } | undefined): StorageError {
  if (row?.error === 'STORAGE_CONFLICT')
    return new StorageError('STORAGE_CONFLICT', `Document update conflict [id:${id}]`, { status: 409 });
  return new StorageError('STORAGE_IO', `Cannot write ticket [id:${id}]`);
}

/** The list-index entries of a ticket, for bulk loads (the bench) that bypass `save`. */
export function ticketIndexDocs(t: Ticket): Array<IndexDoc & { _id: string }> {
  return indexKeys(t).map((k) => indexDoc(k, t.id));
}

/** A ticket as the store holds it, for bulk loads that bypass `save` (history not written). */
export function ticketDoc(t: Ticket): TicketDoc & { _id: string } {
  const { fields, ...rest } = t;
  return { _id: ids.ticket(t.id), ...rest, fieldsSealed: JSON.stringify(fields), historySeq: 0 };
}

function strip<T extends object>(doc: StoredDoc<T>): T {
  const { _id, _rev, ...rest } = doc;
  return rest as T;
}

/** Typed access to the tickets database; callers serialise writes per ticket. */
export class TicketRepo {
  #db: DocStore;
  /** The last number handed out; read from the store once, then kept here. */
  #lastNumber: number | undefined;
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

  /**
   * Writes the ticket and its history entry (the entry first: a crash leaves an
   * orphan entry, never a silent change). The ticket's new list-index entries go
   * in the same durable commit as the ticket; entries it no longer has are
   * removed after it (a crash in between leaves an entry that `page()` skips,
   * since it re-checks each ticket against its listing).
   */
  async save(
    ticket: Ticket,
    prev: { seq: number; rev?: string; ticket?: Ticket },
    entry: Omit<HistoryEntry, 'seq'>,
  ): Promise<number> {
    const seq = prev.seq + 1;
    const { changes, ...head } = entry;
    const history: HistoryDoc & { _id: string } = {
      _id: ids.history(ticket.id, seq),
      ...head,
      seq,
      ...(ticket.customerId ? { customerId: ticket.customerId } : {}),
      changesSealed: JSON.stringify(changes),
    };
    const { fields, ...rest } = ticket;
    const doc: TicketDoc & { _id: string; _rev?: string } = {
      _id: ids.ticket(ticket.id),
      ...(prev.rev ? { _rev: prev.rev } : {}),
      ...rest,
      fieldsSealed: JSON.stringify(fields),
      historySeq: seq,
    };
    const after = indexKeys(ticket);
    if (prev.seq === 0 && !prev.rev) {
      // A new ticket: history entry, ticket, list-index entries and number claim in ONE durable
      // commit (one LevelDB batch: all or nothing, one fsync shared with concurrent writers).
      const n = numberOf(ticket.number);
      const rows = await this.#db.bulkPut<object>([
        history,
        doc,
        ...after.map((k) => indexDoc(k, ticket.id)),
        ...(n === undefined ? [] : [{ _id: ids.number(n), ticketId: ticket.id }]),
      ]);
      const failed = rows.find((r) => 'error' in r);
      if (failed && 'error' in failed) throw writeFailed(failed.id, failed);
      return seq;
    }
    await this.#db.create<HistoryDoc>(history);
    const before = prev.ticket ? indexKeys(prev.ticket) : [];
    const added = after.filter((k) => !before.includes(k));
    if (added.length === 0) await this.#db.put(doc);
    else {
      const rows = await this.#db.bulkPut<object>([doc, ...added.map((k) => indexDoc(k, ticket.id))]);
      const head = rows[0];
      if (!head || 'error' in head) throw writeFailed(doc._id, head && 'error' in head ? head : undefined);
    }
    for (const key of before.filter((k) => !after.includes(k))) {
      const stale = await this.#db.get(key);
      if (stale) await this.#db.remove(key, stale._rev).catch(() => undefined);
    }
    return seq;
  }

  /**
   * One page of a listing, newest first: walks the index from `after` (an
   * index key) and keeps tickets still listed there that `accept` admits.
   * `last` is the key of the page's last ticket when more may follow.
   */
  async page(
    filter: IndexFilter,
    options: { limit: number; after?: string; accept?: (t: Ticket) => boolean },
  ): Promise<{ tickets: Ticket[]; last?: string }> {
    const prefix = listingPrefix(filter);
    const out: Array<{ key: string; ticket: Ticket }> = [];
    let after = options.after;
    const chunk = Math.min(options.limit + 1, 201);
    for (;;) {
      const entries = await this.#db.list<IndexDoc>({
        prefix,
        descending: true,
        limit: chunk,
        ...(after === undefined ? {} : { after }),
      });
      const found = await Promise.all(entries.map((e) => this.ticket(e.ticketId)));
      for (const [i, e] of entries.entries()) {
        const t = found[i]?.ticket;
        // A stale entry (the ticket moved, or a crash left it) or a filtered-out ticket.
        if (!t || !indexKeys(t).includes(e._id) || (options.accept && !options.accept(t))) continue;
        out.push({ key: e._id, ticket: t });
        if (out.length > options.limit) {
          const page = out.slice(0, options.limit);
          return { tickets: page.map((p) => p.ticket), last: page.at(-1)?.key ?? e._id };
        }
      }
      if (entries.length < chunk) return { tickets: out.map((p) => p.ticket) };
      after = entries.at(-1)?._id;
    }
  }

  /**
   * Adds the list-index entries of tickets stored before the index existed,
   * `batch` tickets per commit; progress is kept, so an interrupted run resumes.
   */
  async backfillIndex(batch = 500): Promise<number> {
    const state = await this.#db.get<{ done: boolean; after?: string }>(BACKFILL_ID);
    if (state?.done) return 0;
    let after = state?.after;
    let rev = state?._rev;
    let count = 0;
    for (;;) {
      const docs = await this.#db.list<TicketDoc>({
        prefix: 'ticket:',
        limit: batch,
        ...(after === undefined ? {} : { after }),
      });
      const entries = docs.flatMap((d) => indexKeys(toTicket(d).ticket).map((k) => indexDoc(k, d.id)));
      // An entry that exists already (written by a newer save) answers a conflict: fine.
      if (entries.length > 0) await this.#db.bulkPut<object>(entries);
      count += docs.length;
      after = docs.at(-1)?._id ?? after;
      const done = docs.length < batch;
      const put = await this.#db.put({
        _id: BACKFILL_ID,
        ...(rev ? { _rev: rev } : {}),
        done,
        ...(after === undefined ? {} : { after }),
      });
      rev = put.rev;
      if (done) return count;
    }
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

  /**
   * Next per-branch ticket number; callers hold the creation lock. The store is read once (the
   * highest `num:` claim, or the counter doc older versions kept); the claim itself is written with
   * the ticket (save), so a number is used up only by a ticket that was stored.
   */
  async nextNumber(): Promise<number> {
    if (this.#lastNumber === undefined) {
      const legacy = await this.#db.get<{ n: number }>(ids.counter);
      const [claim] = await this.#db.list({ prefix: 'num:', descending: true, limit: 1 });
      const claimed = claim ? Number(claim._id.slice('num:'.length)) : 0;
      this.#lastNumber = Math.max(legacy?.n ?? 0, Number.isFinite(claimed) ? claimed : 0);
    }
    this.#lastNumber++;
    return this.#lastNumber;
  }
}
