import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { CustomersError } from './errors.ts';
import type { BlindIndexer, Customer, CustomerInput, Shredder } from './types.ts';
import { isValidBankCard, isValidIdCard, normalisePhone } from './validate.ts';

export interface Actor {
  userId: string;
  source?: string;
}

/** Called for every read of personal data so that it is audited. */
export type ReadAuditor = (actor: Actor, customerId: string, purpose: string) => Promise<void>;

interface CustomerDoc extends Omit<Customer, 'id'> {
  type: 'customer';
}

const docId = (id: string) => `cust:${id}`;
const phoneIdx = (h: string) => `idx:phone:${h}`;

function check(input: CustomerInput): void {
  if (input.idCard !== undefined && !isValidIdCard(input.idCard)) {
    throw new CustomersError('CUSTOMERS_INVALID_FIELD', 'Invalid ID-card number', {
      details: { field: 'idCard' },
    });
  }
  if (input.bankCard !== undefined && !isValidBankCard(input.bankCard)) {
    throw new CustomersError('CUSTOMERS_INVALID_FIELD', 'Invalid bank-card number', {
      details: { field: 'bankCard' },
    });
  }
}

/**
 * Customer profiles. The store given here must be the encrypting store
 * (personal fields sealed under `cust:<id>`); the phone index holds only a
 * keyed HMAC, so caller-ID lookup never needs plaintext at rest.
 */
export class CustomerService {
  #store: DocStore;
  #index: BlindIndexer;
  #bus: EventBus;
  #auditRead: ReadAuditor;
  #shredder: Shredder | undefined;
  #now: () => Date;

  constructor(
    store: DocStore,
    options: {
      index: BlindIndexer;
      bus: EventBus;
      auditRead: ReadAuditor;
      shredder?: Shredder;
      now?: () => Date;
    },
  ) {
    this.#store = store;
    this.#index = options.index;
    this.#bus = options.bus;
    this.#auditRead = options.auditRead;
    this.#shredder = options.shredder;
    this.#now = options.now ?? (() => new Date());
  }

  /** Creates a customer; an id chosen by the client makes a retry return the same customer. */
  async create(input: CustomerInput, actor: Actor): Promise<Customer> {
    check(input);
    const id = input.id ?? randomUUID();
    const phone = input.phone === undefined ? undefined : normalisePhone(input.phone);
    const prior = await this.#store.get<CustomerDoc>(docId(id));
    if (prior) return { ...strip(prior), id };
    const at = this.#now().toISOString();
    const { id: _ignored, ...fields } = input;
    const doc: CustomerDoc = {
      ...fields,
      ...(phone ? { phone } : {}),
      type: 'customer',
      createdAt: at,
      updatedAt: at,
    };
    if (phone) {
      const key = phoneIdx(this.#index.blindIndex('phone', phone));
      const existing = await this.#store.get<{ customerId: string }>(key);
      if (existing && existing.customerId !== id) {
        throw new CustomersError('CUSTOMERS_DUPLICATE_HANDLE', 'Phone number already belongs to a customer', {
          status: 409,
          details: { customerId: existing.customerId },
        });
      }
      await this.#store.create({ _id: key, customerId: id });
    }
    await this.#store.create({ _id: docId(id), ...doc });
    await this.#bus.publish('customer.created', { customerId: id }, sourceOf(actor));
    return { ...doc, id };
  }

  async get(id: string, actor: Actor, purpose = 'view'): Promise<Customer> {
    const doc = await this.#store.get<CustomerDoc>(docId(id));
    if (!doc) throw new CustomersError('CUSTOMERS_NOT_FOUND', `No customer [id:${id}]`, { status: 404 });
    await this.#auditRead(actor, id, purpose);
    return { ...strip(doc), id };
  }

  /** Caller-ID → customer via the blind index; undefined when unknown. */
  async findByPhone(phone: string, actor: Actor): Promise<Customer | undefined> {
    const idx = await this.#store.get<{ customerId: string }>(
      phoneIdx(this.#index.blindIndex('phone', normalisePhone(phone))),
    );
    return idx ? this.get(idx.customerId, actor, 'lookup') : undefined;
  }

  /** PIPL erasure: destroys the customer's data key, then the documents. */
  async shred(id: string, actor: Actor): Promise<void> {
    const doc = await this.#store.get<CustomerDoc>(docId(id));
    if (!doc) throw new CustomersError('CUSTOMERS_NOT_FOUND', `No customer [id:${id}]`, { status: 404 });
    await this.#shredder?.shred(`cust:${id}`);
    if (doc.phone) {
      const key = phoneIdx(this.#index.blindIndex('phone', doc.phone));
      const idx = await this.#store.get(key);
      if (idx) await this.#store.remove(key, idx._rev);
    }
    await this.#store.remove(docId(id), doc._rev);
    await this.#bus.publish('customer.shredded', { customerId: id }, sourceOf(actor));
  }
}

function strip(doc: CustomerDoc & { _id: string; _rev: string }): Omit<Customer, 'id'> {
  const { _id, _rev, type, ...rest } = doc;
  return rest;
}

function sourceOf(actor: Actor): { actor: string; source?: string } {
  return actor.source === undefined ? { actor: actor.userId } : { actor: actor.userId, source: actor.source };
}
