import { z } from '@hono/zod-openapi';
import { HttpError } from './errors.ts';

/** Items per page when the client names no `limit`. */
export const PAGE_DEFAULT = 50;
/** The largest page any list endpoint serves. */
export const PAGE_MAX = 200;

/** `?limit=&cursor=` on every list endpoint; checked by {@link pageOf}. */
export const PageQuery = z.object({
  limit: z.string().max(12).optional(),
  cursor: z.string().max(2048).optional(),
});

/** What a list endpoint answers beside its items: absent on the last page. */
export const NextCursor = z.string().optional();

/** A validated page request: how many items, and the sort key to resume after. */
export interface PageRequest {
  limit: number;
  after?: string;
}

function refused(field: 'limit' | 'cursor', code: string, message: string): HttpError {
  return new HttpError('HTTP_VALIDATION', message, {
    status: 400,
    details: { issues: [{ path: field, code, message }] },
  });
}

/**
 * Reads `limit` (1…PAGE_MAX, default PAGE_DEFAULT) and the opaque `cursor`.
 * A cursor is bound to its listing (`scope`, which names the filters), so one
 * from another listing, or one edited by hand, is refused with HTTP_VALIDATION.
 * @example
 * const page = pageOf(c.req.valid('query'), `tickets:state=${state}`);
 */
export function pageOf(query: { limit?: string | undefined; cursor?: string | undefined }, scope: string) {
  let limit = PAGE_DEFAULT;
  if (query.limit !== undefined) {
    if (!/^[0-9]{1,9}$/.test(query.limit) || Number(query.limit) < 1)
      throw refused('limit', 'bad_limit', `Cannot read limit: ${JSON.stringify(query.limit)}`);
    limit = Number(query.limit);
    if (limit > PAGE_MAX)
      throw refused('limit', 'too_big', `Page size ${limit} is over the maximum of ${PAGE_MAX}`);
  }
  const out: PageRequest = { limit };
  if (query.cursor !== undefined) out.after = readCursor(query.cursor, scope);
  return out;
}

function readCursor(cursor: string, scope: string): string {
  const bad = () => refused('cursor', 'bad_cursor', 'Cannot read cursor: not one this listing gave out');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const p = parsed as { v?: unknown; s?: unknown; k?: unknown };
  if (typeof parsed !== 'object' || parsed === null || p.v !== 1 || p.s !== scope) throw bad();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a sort key never holds control characters
  if (typeof p.k !== 'string' || p.k === '' || p.k.length > 512 || /[\u0000-\u001f]/.test(p.k)) throw bad();
  return p.k;
}

/**
 * The cursor for the page after the one that ended at sort key `lastKey`;
 * undefined when the listing has no more items.
 */
export function cursorAfter(scope: string, lastKey: string | undefined): string | undefined {
  if (lastKey === undefined) return undefined;
  return Buffer.from(JSON.stringify({ v: 1, s: scope, k: lastKey }), 'utf8').toString('base64url');
}

/** A refused cursor for a key that does not belong to the listing (a forged one). */
export function badCursor(): HttpError {
  return refused('cursor', 'bad_cursor', 'Cannot read cursor: not one this listing gave out');
}
