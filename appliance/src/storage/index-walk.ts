import type { DocStore, StoredDoc } from './types.ts';

/** How {@link walkIndex} reads one listing. */
export interface WalkOptions<E extends object, T> {
  /**
   * Key prefixes whose entries are merged into one listing by the part of the
   * id after the prefix (the sort key); an item under two prefixes with the
   * same sort key is listed once.
   */
  prefixes: readonly string[];
  limit: number;
  /** The sort key to resume after (exclusive), as `last` gave it out. */
  after?: string | undefined;
  /** Highest sort key first (newest first for time-ordered keys). */
  descending?: boolean;
  /**
   * Where the listing ends: descending, sort keys below it are left out;
   * ascending, sort keys at or above it (a time range's other end).
   */
  until?: string | undefined;
  /** What the entries point at, in order; undefined drops an entry (its item is gone). */
  load: (entries: StoredDoc<E>[]) => Promise<Array<T | undefined>>;
  /** Whether an item still belongs under this entry (index entries may be stale). */
  accept?: (item: T, entry: StoredDoc<E>) => boolean;
}

interface Stream<E extends object> {
  prefix: string;
  buf: StoredDoc<E>[];
  after: string | undefined;
  done: boolean;
}

/**
 * One page of a listing kept as sorted index keys (`<prefix><sortKey>`): reads
 * only about a page of entries and the items they point at, whatever the total.
 * `last` is the sort key of the page's last item when more may follow.
 * @example
 * const { items, last } = await walkIndex(db, {
 *   prefixes: ['rx:'], limit: 50, descending: true,
 *   load: (es) => Promise.all(es.map((e) => db.get(`rec:${e.callId}`))),
 * });
 */
export async function walkIndex<E extends object, T>(
  db: DocStore,
  o: WalkOptions<E, T>,
): Promise<{ items: T[]; last?: string }> {
  const chunk = Math.min(o.limit + 1, 201);
  const streams: Stream<E>[] = [...new Set(o.prefixes)].map((prefix) => ({
    prefix,
    buf: [],
    after: o.after === undefined ? undefined : prefix + o.after,
    done: false,
  }));
  const sortOf = (s: Stream<E>, d: StoredDoc<E>) => d._id.slice(s.prefix.length);
  const before = (a: string, b: string) => (o.descending ? a > b : a < b);
  const out: Array<{ sort: string; item: T }> = [];
  for (;;) {
    const picked: Array<{ sort: string; entry: StoredDoc<E> }> = [];
    while (picked.length < o.limit + 1 - out.length) {
      await Promise.all(
        streams.filter((s) => s.buf.length === 0 && !s.done).map((s) => refill(db, s, o, chunk)),
      );
      let best: Stream<E> | undefined;
      for (const s of streams) {
        const head = s.buf[0];
        const bestHead = best?.buf[0];
        if (head && (!best || !bestHead || before(sortOf(s, head), sortOf(best, bestHead)))) best = s;
      }
      const entry = best?.buf.shift();
      if (!best || !entry) break;
      const sort = sortOf(best, entry);
      if (o.until !== undefined && (o.descending ? sort < o.until : sort >= o.until)) {
        // Every later entry of this stream is past the end as well.
        best.buf = [];
        best.done = true;
        continue;
      }
      for (const s of streams) {
        const head = s.buf[0];
        if (head && sortOf(s, head) === sort) s.buf.shift();
      }
      picked.push({ sort, entry });
    }
    if (picked.length === 0) return { items: out.map((x) => x.item) };
    const loaded = await o.load(picked.map((p) => p.entry));
    for (const [i, p] of picked.entries()) {
      const item = loaded[i];
      if (item === undefined || (o.accept && !o.accept(item, p.entry))) continue;
      out.push({ sort: p.sort, item });
    }
    if (out.length > o.limit) {
      const page = out.slice(0, o.limit);
      return { items: page.map((x) => x.item), last: page.at(-1)?.sort ?? '' };
    }
  }
}

async function refill<E extends object, T>(
  db: DocStore,
  s: Stream<E>,
  o: WalkOptions<E, T>,
  chunk: number,
): Promise<void> {
  const docs = await db.list<E>({
    prefix: s.prefix,
    limit: chunk,
    ...(o.descending ? { descending: true } : {}),
    ...(s.after === undefined ? {} : { after: s.after }),
  });
  s.buf = docs;
  s.done = docs.length < chunk;
  s.after = docs.at(-1)?._id ?? s.after;
}
