import type { Handle, HandleKind } from '../conversations/index.ts';

/** A handle as held on a customer (decrypted on read; sealed at rest in `handleList`). */
export interface CustomerHandle {
  kind: HandleKind;
  value: string;
  verified: boolean;
}

/** A customer profile. Personal fields are encrypted at rest under the customer's own key. */
export interface Customer {
  id: string;
  name: string;
  /** E.164 (`;ext=` when an extension was given), read in the branch's phone region. */
  phone?: string;
  /** The phone number as it was typed, beside its canonical form. */
  phoneRaw?: string;
  email?: string;
  idCard?: string;
  bankCard?: string;
  address?: string;
  vip?: boolean;
  /** Every handle that identifies this customer on some channel. */
  handles?: CustomerHandle[];
  /** Set while this profile is merged into another (reversible). */
  mergedInto?: string;
  createdAt: string;
  updatedAt: string;
}

export type CustomerInput = Omit<Customer, 'id' | 'createdAt' | 'updatedAt' | 'handles' | 'mergedInto'> & {
  id?: string;
};

/** Fields the encrypting store seals; all are personal data under PIPL. */
export const CUSTOMER_SEALED_FIELDS = [
  'name',
  'phone',
  'phoneRaw',
  'email',
  'idCard',
  'bankCard',
  'address',
  'handleList',
] as const;

/** Keyed equality lookups over encrypted fields (HMAC blind index). */
export interface BlindIndexer {
  blindIndex(kind: string, value: string): string;
}

/**
 * Consulted before a customer is erased: the holds (legal hold id + reason) that
 * forbid it, or an empty list. Registered by whoever keeps data under hold (recordings).
 */
export type ErasureGuard = (customerId: string) => Promise<Array<{ holdId: string; reason: string }>>;

/** Crypto-shredding of a customer's data key. */
export interface Shredder {
  shred(keyId: string): Promise<void>;
}

/** Who acts (a user id, 'system', or a channel) and from where. */
export interface Actor {
  userId: string;
  source?: string;
}

/**
 * A section of the customer 360 filled by another context (tickets, orders).
 * Called after the caller's read was audited; returns plain JSON items.
 */
export type ProfileSection = (customerId: string, actor: Actor) => Promise<unknown[]>;

/** Outcome of resolving an inbound sender's handles to one customer. */
export interface Resolution {
  customerId: string;
  created: boolean;
}

export type { Handle, HandleKind };

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'customer.handle_linked': { customerId: string; kind: HandleKind; verified: boolean };
    'customer.merged': { mergeId: string; sourceId: string; targetId: string; handles: number };
    'customer.unmerged': { mergeId: string; sourceId: string; targetId: string; handles: number };
  }
}
