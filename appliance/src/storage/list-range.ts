import type { ListOptions } from './types.ts';

// The highest code point: as UTF-8 it sorts after every id that has the prefix.
const HIGH = '\u{10FFFF}';

function byteCmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface RangeQuery {
  startkey: string;
  endkey: string;
  descending: boolean;
  limit?: number;
}

/**
 * Turns `ListOptions` into an inclusive key range. `after` is exclusive, so the
 * range starts at it and the caller drops that one id (hence limit + 1).
 */
export function listRange(options: ListOptions): { query: RangeQuery } {
  const prefix = options.prefix ?? '';
  const after = options.after;
  const descending = options.descending === true;
  let startkey = descending ? prefix + HIGH : prefix;
  const endkey = descending ? prefix : prefix + HIGH;
  if (after !== undefined) {
    const c = byteCmp(after, startkey);
    if (descending ? c < 0 : c > 0) startkey = after;
  }
  const query: RangeQuery = { startkey, endkey, descending };
  if (options.limit !== undefined) query.limit = options.limit + (after === undefined ? 0 : 1);
  return { query };
}
