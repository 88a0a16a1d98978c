import type { DocStore } from '../../storage/index.ts';

export interface VisitorDoc {
  contactId?: string;
  customerId?: string;
}

export interface LogEntry {
  seq: number;
  messageId: string;
  cid?: string;
}

const pad = (n: number) => n.toString().padStart(12, '0');

/**
 * The visitor's stream: every message in or out gets the next sequence number;
 * a client id maps to its sequence so a resend is recognised.
 */
export class WebchatLog {
  #db: DocStore;

  constructor(db: DocStore) {
    this.#db = db;
  }

  async lastSeq(vid: string): Promise<number> {
    const [last] = await this.#db.list<LogEntry>({ prefix: `q:${vid}:`, descending: true, limit: 1 });
    return last?.seq ?? 0;
  }

  async append(vid: string, entry: LogEntry): Promise<void> {
    const docs: Array<Record<string, unknown> & { _id: string }> = [
      { _id: `q:${vid}:${pad(entry.seq)}`, ...entry },
    ];
    if (entry.cid) docs.push({ _id: `c:${vid}:${entry.cid}`, seq: entry.seq });
    const res = await this.#db.bulkPut(docs);
    const failed = res.find((r) => 'error' in r);
    if (failed && 'error' in failed) throw new Error(`Cannot append to visitor log [code:${failed.error}]`);
  }

  async seqOfClientId(vid: string, cid: string): Promise<number | undefined> {
    return (await this.#db.get<{ seq: number }>(`c:${vid}:${cid}`))?.seq;
  }

  async entry(vid: string, seq: number): Promise<LogEntry | undefined> {
    const d = await this.#db.get<LogEntry>(`q:${vid}:${pad(seq)}`);
    return d ? { seq: d.seq, messageId: d.messageId, ...(d.cid ? { cid: d.cid } : {}) } : undefined;
  }

  async after(vid: string, seq: number, limit = 500): Promise<LogEntry[]> {
    const docs = await this.#db.list<LogEntry>({ prefix: `q:${vid}:`, after: `q:${vid}:${pad(seq)}`, limit });
    return docs.map((d) => ({ seq: d.seq, messageId: d.messageId, ...(d.cid ? { cid: d.cid } : {}) }));
  }

  async visitor(vid: string): Promise<VisitorDoc> {
    const d = await this.#db.get<VisitorDoc>(`v:${vid}`);
    return d
      ? {
          ...(d.contactId ? { contactId: d.contactId } : {}),
          ...(d.customerId ? { customerId: d.customerId } : {}),
        }
      : {};
  }

  async setVisitor(vid: string, v: VisitorDoc): Promise<void> {
    const prior = await this.#db.get<VisitorDoc>(`v:${vid}`);
    await this.#db.put({ _id: `v:${vid}`, ...v, ...(prior ? { _rev: prior._rev } : {}) });
  }

  async settings<T extends object>(): Promise<T | undefined> {
    const d = await this.#db.get<T & { _id: string; _rev: string }>('settings');
    if (!d) return undefined;
    const { _id, _rev, ...rest } = d;
    return rest as unknown as T;
  }

  async putSettings<T extends object>(s: T): Promise<void> {
    const prior = await this.#db.get('settings');
    await this.#db.put({ _id: 'settings', ...s, ...(prior ? { _rev: prior._rev } : {}) });
  }
}
