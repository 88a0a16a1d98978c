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

interface DayTotal {
  day: string;
  n: number;
}
interface SourceMark {
  day: string;
}

/** More pseudonyms than any sensible k; keeps popular terms' documents small. */
export const PSEUDONYM_CAP = 16;

/**
 * Term counts in the analytics database under `tm:<YYYY-MM-DD>:<term>`
 * (ids sort by day, so a date range is one listing; a phrase is a term with
 * a space). Beside them: `td:<day>` messages counted that day (the N of the
 * collocation test), `ts:<kind>:<id>` the sources already counted (so a
 * backfill run twice, or a message seen live and again by the backfill, is
 * counted once), and `tmeta:<name>` small state (backfill progress).
 */
export class TopicStore {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  /**
   * Adds one message's terms (phrases included) to a day's counts; with `source`, also marks that
   * source counted, in the same write.
   */
  async add(day: string, terms: readonly string[], pseudonym: string, source?: string): Promise<void> {
    // A message without topic words is still marked, or every backfill would read it again.
    if (terms.length === 0) {
      if (source) await this.#write([{ _id: `ts:${source}`, day } as NewDoc<SourceMark>]);
      return;
    }
    const docs: Array<NewDoc<TermDay> | NewDoc<DayTotal> | NewDoc<SourceMark>> = [];
    const total = await this.#db.get<DayTotal>(`td:${day}`);
    docs.push({ ...(total ? { _rev: total._rev } : {}), _id: `td:${day}`, day, n: (total?.n ?? 0) + 1 });
    if (source) docs.push({ _id: `ts:${source}`, day });
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

  /** Messages counted on days `from ≤ day ≤ to`. */
  async messages(from: string, to: string): Promise<number> {
    let n = 0;
    // One document per day (at most the retention): listing them all is cheap.
    for (const d of await this.#db.list<DayTotal>({ prefix: 'td:' })) {
      if (d.day > to) break;
      if (d.day >= from) n += d.n;
    }
    return n;
  }

  /** True when this source (`message:<id>`, `ticket:<id>`) was already counted. */
  async counted(source: string): Promise<boolean> {
    return (await this.#db.get(`ts:${source}`)) !== undefined;
  }

  /** The earliest day with any term counts, if any. */
  async firstDay(): Promise<string | undefined> {
    return (await this.#db.list<TermDay>({ prefix: 'tm:', limit: 1 }))[0]?.day;
  }

  meta<T extends object>(name: string): Promise<StoredDoc<T> | undefined> {
    return this.#db.get<T>(`tmeta:${name}`);
  }

  async putMeta<T extends object>(name: string, value: T, rev?: string): Promise<string> {
    const r = await this.#db.put({ ...value, _id: `tmeta:${name}`, ...(rev ? { _rev: rev } : {}) });
    return r.rev;
  }

  /** Removes a pseudonym everywhere (a shredded customer); the counts stay. Returns documents changed. */
  async forget(pseudonym: string): Promise<number> {
    const hit = (await this.#db.list<TermDay>({ prefix: 'tm:' })).filter((d) => d.p.includes(pseudonym));
    await this.#write(hit.map((d) => ({ ...d, p: d.p.filter((x) => x !== pseudonym) })));
    return hit.length;
  }

  /** Drops days before `day`: counts, day totals and source marks (their sources are too old to count again). */
  async prune(day: string): Promise<number> {
    const old: Array<StoredDoc<{ day: string }>> = [];
    for (const prefix of ['tm:', 'td:']) {
      for (const d of await this.#db.list<{ day: string }>({ prefix })) {
        if (d.day >= day) break;
        old.push(d);
      }
    }
    for (const d of await this.#db.list<SourceMark>({ prefix: 'ts:' })) if (d.day < day) old.push(d);
    for (const d of old) await this.#db.remove(d._id, d._rev);
    return old.length;
  }

  async #write(docs: Array<NewDoc<object>>): Promise<void> {
    if (docs.length === 0) return;
    const results = await this.#db.bulkPut(docs);
    const failed = results.find((r) => 'error' in r);
    if (failed) throw new Error(`writing term counts failed: ${JSON.stringify(failed)}`);
  }
}
