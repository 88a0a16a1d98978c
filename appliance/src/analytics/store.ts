import type { DocStore, NewDoc, StoredDoc } from '../storage/index.ts';
import type { CustomerSignals } from './churn.ts';
import type { ContactFact, IntervalRow } from './types.ts';

/**
 * Document layout of the analytics database:
 * - `f:<bucket>:<contactId>` a contact's fact, in its arrival interval
 * - `x:<contactId>` → the bucket of that fact (for events without `queuedAt`)
 * - `i:<bucket>:<queue>:<channel>` folded interval counters
 * - `u:<customerId>` churn signals; `t:<ticketId>` → customer of a ticket
 */
export class AnalyticsStore {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  fact(bucket: string, contactId: string): Promise<StoredDoc<ContactFact> | undefined> {
    return this.#db.get<ContactFact>(`f:${bucket}:${contactId}`);
  }

  async bucketOfContact(contactId: string): Promise<string | undefined> {
    return (await this.#db.get<{ bucket: string }>(`x:${contactId}`))?.bucket;
  }

  async putFact(fact: NewDoc<ContactFact>, isNew: boolean): Promise<void> {
    const { _id: _ignored, _rev, ...body } = fact;
    const doc: NewDoc<ContactFact> = { ...body, _id: `f:${fact.bucket}:${fact.contactId}` };
    if (_rev) doc._rev = _rev;
    await this.#db.put(doc);
    if (isNew) await this.#db.create({ _id: `x:${fact.contactId}`, bucket: fact.bucket });
  }

  factsOf(bucket: string): Promise<Array<StoredDoc<ContactFact>>> {
    return this.#db.list<ContactFact>({ prefix: `f:${bucket}:` });
  }

  /** Facts whose arrival bucket lies in `[from, to)` (ISO), oldest first. */
  async factsBetween(from: string, to: string): Promise<ContactFact[]> {
    const out: ContactFact[] = [];
    for (const d of await this.#db.list<ContactFact>({ prefix: 'f:', after: `f:${from}` })) {
      if (d.bucket >= to) break;
      if (d.bucket < from) continue;
      const { _id, _rev, ...fact } = d;
      out.push(fact);
    }
    return out;
  }

  /** Replaces a bucket's interval rows; combinations no longer present are zeroed by omission (removed). */
  async putIntervals(bucket: string, rows: IntervalRow[]): Promise<void> {
    const existing = new Map(
      (await this.#db.list<IntervalRow>({ prefix: `i:${bucket}:` })).map((d) => [d._id, d]),
    );
    const docs: Array<NewDoc<IntervalRow>> = rows.map((r) => {
      const _id = `i:${bucket}:${r.queue}:${r.channel}`;
      const prev = existing.get(_id);
      existing.delete(_id);
      return prev ? { ...r, _id, _rev: prev._rev } : { ...r, _id };
    });
    if (docs.length) {
      const results = await this.#db.bulkPut(docs);
      const failed = results.find((r) => 'error' in r);
      if (failed) throw new Error(`writing intervals failed: ${JSON.stringify(failed)}`);
    }
    for (const stale of existing.values()) await this.#db.remove(stale._id, stale._rev);
  }

  /** Interval rows with `from ≤ bucket < to` (ISO strings sort by time). */
  async intervals(from: string, to: string): Promise<IntervalRow[]> {
    const out: IntervalRow[] = [];
    for (const d of await this.#db.list<IntervalRow & { _id: string }>({
      prefix: 'i:',
      after: `i:${from}`,
    })) {
      if (d.bucket >= to) break;
      if (d.bucket < from) continue;
      const { _id, _rev, ...row } = d as StoredDoc<IntervalRow>;
      out.push(row);
    }
    return out;
  }

  /** Facts of the last `buckets` intervals still waiting (queued/offered), to rebuild live state. */
  async openFacts(from: string): Promise<ContactFact[]> {
    const docs = await this.#db.list<ContactFact>({ prefix: 'f:', after: `f:${from}` });
    return docs.filter(
      (d) => d.state === 'queued' || d.state === 'offered' || d.state === 'active' || d.state === 'wrap_up',
    );
  }

  signals(customerId: string): Promise<StoredDoc<CustomerSignals> | undefined> {
    return this.#db.get<CustomerSignals>(`u:${customerId}`);
  }

  async putSignals(s: NewDoc<CustomerSignals>): Promise<void> {
    await this.#db.put(s);
  }

  allSignals(): Promise<Array<StoredDoc<CustomerSignals>>> {
    return this.#db.list<CustomerSignals>({ prefix: 'u:' });
  }

  async removeSignals(customerId: string): Promise<void> {
    const doc = await this.signals(customerId);
    if (doc) await this.#db.remove(doc._id, doc._rev);
  }

  async ticketCustomer(ticketId: string): Promise<string | undefined> {
    return (await this.#db.get<{ customerId: string }>(`t:${ticketId}`))?.customerId;
  }

  async setTicketCustomer(ticketId: string, customerId: string): Promise<void> {
    await this.#db.create({ _id: `t:${ticketId}`, customerId });
  }
}
