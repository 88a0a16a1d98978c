import type { DocStore, NewDoc, StoredDoc } from '../storage/index.ts';

/**
 * One term on one day: how many messages used it and (up to a cap) the
 * pseudonyms of the customers who did, only so the k-anonymity rule can
 * count distinct customers. No text, no customer id in clear.
 */
export interface TermDay {
  day: string;
  term: string;
  n: number;
  /** Keyed-hash pseudonyms; capped, since the rule only needs to know "at least k". */
  p: string[];
}

/** More pseudonyms than any sensible k; keeps popular terms' documents small. */
export const PSEUDONYM_CAP = 16;

/**
 * Term counts in the analytics database under `tm:<YYYY-MM-DD>:<term>`
 * (ids sort by day, so a date range is one listing).
 */
export class TopicStore {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  /** Adds one message's terms to a day's counts. */
  async add(day: string, terms: readonly string[], pseudonym: string): Promise<void> {
    if (terms.length === 0) return;
    const docs: Array<NewDoc<TermDay>> = [];
    for (const term of terms) {
      const _id = `tm:${day}:${term}`;
      const prev = await this.#db.get<TermDay>(_id);
      const p = prev?.p ?? [];
      docs.push({
        ...(prev ? { _rev: prev._rev } : {}),
        _id,
        day,
        term,
        n: (prev?.n ?? 0) + 1,
        p: p.includes(pseudonym) || p.length >= PSEUDONYM_CAP ? p : [...p, pseudonym],
      });
    }
    await this.#write(docs);
  }

  /** Days `from ≤ day ≤ to` (YYYY-MM-DD). */
  async between(from: string, to: string): Promise<TermDay[]> {
    const out: TermDay[] = [];
    for (const d of await this.#db.list<TermDay>({ prefix: 'tm:', after: `tm:${from}` })) {
      if (d.day > to) break;
      if (d.day < from) continue;
      out.push({ day: d.day, term: d.term, n: d.n, p: d.p });
    }
    return out;
  }

  /** Removes a pseudonym everywhere (a shredded customer); the counts stay. Returns documents changed. */
  async forget(pseudonym: string): Promise<number> {
    const hit = (await this.#db.list<TermDay>({ prefix: 'tm:' })).filter((d) => d.p.includes(pseudonym));
    await this.#write(hit.map((d) => ({ ...d, p: d.p.filter((x) => x !== pseudonym) })));
    return hit.length;
  }

  /** Drops days before `day`. */
  async prune(day: string): Promise<number> {
    const old: Array<StoredDoc<TermDay>> = [];
    for (const d of await this.#db.list<TermDay>({ prefix: 'tm:' })) {
      if (d.day >= day) break;
      old.push(d);
    }
    for (const d of old) await this.#db.remove(d._id, d._rev);
    return old.length;
  }

  async #write(docs: Array<NewDoc<TermDay>>): Promise<void> {
    if (docs.length === 0) return;
    const results = await this.#db.bulkPut(docs);
    const failed = results.find((r) => 'error' in r);
    if (failed) throw new Error(`writing term counts failed: ${JSON.stringify(failed)}`);
  }
}
