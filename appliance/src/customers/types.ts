/** A customer profile. Personal fields are encrypted at rest under the customer's own key. */
export interface Customer {
  id: string;
  name: string;
  phone?: string;
  email?: string;
  idCard?: string;
  bankCard?: string;
  address?: string;
  vip?: boolean;
  createdAt: string;
  updatedAt: string;
}

export type CustomerInput = Omit<Customer, 'id' | 'createdAt' | 'updatedAt'> & { id?: string };

/** Fields the encrypting store seals; all are personal data under PIPL. */
export const CUSTOMER_SEALED_FIELDS = ['name', 'phone', 'email', 'idCard', 'bankCard', 'address'] as const;

/** Keyed equality lookups over encrypted fields (HMAC blind index). */
export interface BlindIndexer {
  blindIndex(kind: string, value: string): string;
}

/** Crypto-shredding of a customer's data key. */
export interface Shredder {
  shred(keyId: string): Promise<void>;
}
