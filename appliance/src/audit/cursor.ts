import { BadInputError } from '../contracts/index.ts';

/** Listing direction a cursor belongs to; a cursor from one order is refused for the other. */
export type CursorOrder = 'asc' | 'desc';

const VERSION = 'a1';

/**
 * An opaque page cursor for GET /audit: the last seq of a page and its order,
 * base64url-encoded, so clients pass it back unread.
 * @example
 * encodeCursor(42, 'desc'); // 'YTE6ZGVzYzo0Mg'
 */
export function encodeCursor(seq: number, order: CursorOrder): string {
  return Buffer.from(`${VERSION}:${order}:${seq}`).toString('base64url');
}

/** The seq a cursor points after; AUDIT_INVALID_SEARCH (400) for anything this appliance did not issue for `order`. */
export function decodeCursor(cursor: string, order: CursorOrder): number {
  const bad = (why: string) =>
    new BadInputError('AUDIT_INVALID_SEARCH', `Cannot search audit log: cursor ${why}`, {
      details: { field: 'cursor' },
    });
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) throw bad('is not a page cursor');
  const [version, from, seq, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (version !== VERSION || rest.length > 0 || seq === undefined || !/^\d{1,15}$/.test(seq))
    throw bad('is not a page cursor');
  if (from !== order) throw bad(`belongs to the ${from ?? 'other'} order`);
  return Number(seq);
}
