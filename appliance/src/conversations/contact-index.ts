import type { Contact, ContactState } from './types.ts';

/**
 * Sorted index entries for the contact lists (inboxes and the supervisor's
 * list), stored beside the contacts as `ci:<kind>:…:<createdAt>:<contactId>`
 * with only the contact id in the body. Keys hold no personal data: states,
 * user ids, times and random contact ids. createdAt never changes, so a
 * contact keeps its place in a listing while it is paged through.
 */
export type IndexedContact = Pick<Contact, 'id' | 'state' | 'agentId' | 'createdAt' | 'attributes'>;

/** What a contact listing is filtered by: one agent's, some states, and the unclaimed out-of-hours ones. */
export interface ContactListFilter {
  /** Only this agent's contacts; absent: everyone's. */
  agentId?: string;
  states?: ContactState[];
  /** Also list queued out-of-hours contacts nobody has picked up (every agent's inbox shows them). */
  withUnclaimedOffline?: boolean;
}

const part = encodeURIComponent;

/** Left out of hours and not yet picked up: in every agent's inbox, for whoever answers it first. */
export function isUnclaimedOffline(c: Pick<Contact, 'state' | 'agentId' | 'attributes'>): boolean {
  return c.state === 'queued' && !c.agentId && c.attributes['offline'] === true;
}

/** The prefixes a listing is merged from. */
export function listingPrefixes(f: ContactListFilter): string[] {
  const out: string[] = [];
  if (f.agentId === undefined) {
    if (f.states?.length) out.push(...f.states.map((s) => `ci:st:${part(s)}:`));
    else out.push('ci:all:');
  } else if (f.states?.length) out.push(...f.states.map((s) => `ci:as:${part(f.agentId ?? '')}:${part(s)}:`));
  else out.push(`ci:ag:${part(f.agentId)}:`);
  if (f.withUnclaimedOffline && (!f.states?.length || f.states.includes('queued'))) out.push('ci:uo:');
  return out;
}

/** Every list-index key a contact is listed under in its current form. */
export function contactListKeys(c: IndexedContact): string[] {
  const sort = `${c.createdAt}:${c.id}`;
  const keys = [`ci:all:${sort}`, `ci:st:${part(c.state)}:${sort}`];
  if (c.agentId)
    keys.push(`ci:ag:${part(c.agentId)}:${sort}`, `ci:as:${part(c.agentId)}:${part(c.state)}:${sort}`);
  if (isUnclaimedOffline(c)) keys.push(`ci:uo:${sort}`);
  return keys;
}
