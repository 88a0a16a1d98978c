import type { StoredDoc } from '../storage/index.ts';
import type { Actor, Customer, CustomerHandle } from './types.ts';

export interface CustomerDoc extends Omit<Customer, 'id' | 'handles'> {
  type: 'customer';
  /** JSON of CustomerHandle[]; sealed like the other personal fields. */
  handleList?: string;
}

export const docId = (id: string) => `cust:${id}`;

export function handlesIn(doc: CustomerDoc): CustomerHandle[] {
  return doc.handleList ? (JSON.parse(doc.handleList) as CustomerHandle[]) : [];
}

export function toCustomer(doc: StoredDoc<CustomerDoc>): Customer {
  const { _id, _rev, type, handleList, ...rest } = doc;
  const handles = handlesIn(doc);
  return { ...rest, id: _id.slice('cust:'.length), ...(handles.length ? { handles } : {}) };
}

export function sourceOf(actor: Actor): { actor: string; source?: string } {
  return actor.source === undefined ? { actor: actor.userId } : { actor: actor.userId, source: actor.source };
}
