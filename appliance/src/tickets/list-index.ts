import type { Ticket } from './types.ts';

/**
 * Sorted index entries for the ticket list, stored beside the tickets as
 * `tix:<kind>:<value>:<createdAt>:<number>:<id>` with only the ticket id in the
 * body. Keys hold no personal data: states, customer ids (random), times and
 * ticket numbers. A listing walks one prefix backwards (newest first), so a
 * page costs its own size whatever the total. createdAt never changes, so a
 * ticket never moves within a listing while it is paged through.
 */
export const INDEX_PREFIX = 'tix:';

export type IndexedTicket = Pick<Ticket, 'id' | 'number' | 'state' | 'customerId' | 'createdAt'>;

export interface IndexFilter {
  state?: string | undefined;
  customerId?: string | undefined;
}

const part = (value: string) => encodeURIComponent(value);

/** The listing a filter is served from: a customer's tickets, a state, or all. */
export function listingPrefix(filter: IndexFilter): string {
  if (filter.customerId) return `${INDEX_PREFIX}cu:${part(filter.customerId)}:`;
  if (filter.state) return `${INDEX_PREFIX}st:${part(filter.state)}:`;
  return `${INDEX_PREFIX}all:`;
}

/** Every index key a ticket is listed under in its current form. */
export function indexKeys(t: IndexedTicket): string[] {
  const sort = `${t.createdAt}:${t.number}:${t.id}`;
  const keys = [`${listingPrefix({})}${sort}`, `${listingPrefix({ state: t.state })}${sort}`];
  if (t.customerId) keys.push(`${listingPrefix({ customerId: t.customerId })}${sort}`);
  return keys;
}

/** The index body: which ticket an entry points at. */
export interface IndexDoc {
  ticketId: string;
}
