import { randomUUID } from 'node:crypto';
import { BadInputError } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import { type DocStore, KeyedLock, StorageError } from '../storage/index.ts';
import { type CustomerDoc, docId, handlesIn, sourceOf, toCustomer } from './doc.ts';
import { CustomersError } from './errors.ts';
import {
  canLink,
  findIndex,
  type HandleIndexDoc,
  handleKey,
  handleKeys,
  normaliseHandle,
  pointHandle,
} from './handles.ts';
import { Merges } from './merges.ts';
import { isPhoneRegion, type ParsedPhone, parsePhone } from './phone.ts';
import type {
  Actor,
  BlindIndexer,
  Customer,
  CustomerHandle,
  CustomerInput,
  ErasureGuard,
  Handle,
  ProfileSection,
  Resolution,
  Shredder,
} from './types.ts';
import { isValidBankCard, isValidIdCard } from './validate.ts';

/** Called for every read of personal data so that it is audited. */
export type ReadAuditor = (actor: Actor, customerId: string, purpose: string) => Promise<void>;

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
 * Customer profiles and their handles. The store given here must be the
 * encrypting store (personal fields sealed under `cust:<id>`); handle indexes
 * hold only a keyed HMAC, so lookups never need plaintext at rest.
 */
export class CustomerService {
  #store: DocStore;
  #index: BlindIndexer;
  #bus: EventBus;
  #auditRead: ReadAuditor;
  #shredder: Shredder | undefined;
  #erasureGuards: ErasureGuard[] = [];
  #now: () => Date;
  // One lock for handle resolution: two first messages from one new sender must not make two customers.
  #lock = new KeyedLock();
  #sections = new Map<string, ProfileSection>();
  #merges: Merges;
  #region: string;

  constructor(
    store: DocStore,
    options: {
      index: BlindIndexer;
      bus: EventBus;
      auditRead: ReadAuditor;
      shredder?: Shredder;
      now?: () => Date;
      /** ISO 3166 region national phone numbers are read in (BRANCHLINE_PHONE_REGION); default CN. */
      phoneRegion?: string;
    },
  ) {
    const region = options.phoneRegion ?? 'CN';
    if (!isPhoneRegion(region))
      throw new BadInputError('CUSTOMERS_INVALID_FIELD', `Unknown phone region: ${JSON.stringify(region)}`);
    this.#region = region;
    this.#store = store;
    this.#index = options.index;
    this.#bus = options.bus;
    this.#auditRead = options.auditRead;
    this.#shredder = options.shredder;
    this.#now = options.now ?? (() => new Date());
    this.#merges = new Merges(store, { index: this.#index, bus: this.#bus, now: this.#now });
  }

  /**
   * Reads national numbers in `region` from now on: the setup wizard's stored
   * phone region applies at runtime (setup does not call it when BRANCHLINE_PHONE_REGION is set).
   */
  setPhoneRegion(region: string): void {
    if (!isPhoneRegion(region))
      throw new BadInputError('CUSTOMERS_INVALID_FIELD', `Unknown phone region: ${JSON.stringify(region)}`);
    this.#region = region;
  }

  /** Creates a customer; an id chosen by the client makes a retry return the same customer. */
  async create(input: CustomerInput, actor: Actor): Promise<Customer> {
    check(input);
    const made = await this.#lock.run('handles', () => this.#create(input));
    // Published (and audited) before the answer, but after the handles lock is released.
    if (made.created)
      await this.#bus.publish('customer.created', { customerId: made.customer.id }, sourceOf(actor));
    return made.customer;
  }

  async #create(input: CustomerInput): Promise<{ customer: Customer; created: boolean }> {
    const id = input.id ?? randomUUID();
    const phone = input.phone === undefined ? undefined : this.parsePhone(input.phone);
    // Only a client-chosen id can be a retry; a fresh random one is never stored yet.
    const prior = input.id === undefined ? undefined : await this.#store.get<CustomerDoc>(docId(id));
    if (prior) return { customer: toCustomer(prior), created: false };
    const at = this.#now().toISOString();
    const { id: _ignored, phoneRaw: _raw, ...fields } = input;
    const handles: CustomerHandle[] = [];
    // Index entries and the customer go in one commit (one LevelDB batch, one fsync): the checks
    // below, under the handles lock, found none of them stored.
    const docs: Array<Record<string, unknown> & { _id: string }> = [];
    if (phone) {
      const h: CustomerHandle = { kind: 'phone', value: phone.value, verified: true };
      const keys = handleKeys(this.#index, { kind: 'phone', value: phone.raw }, this.#region);
      const existing = await findIndex(this.#store, keys);
      if (existing && existing.idx.customerId !== id) {
        throw new CustomersError('CUSTOMERS_DUPLICATE_HANDLE', 'Phone number already belongs to a customer', {
          status: 409,
          details: { customerId: existing.idx.customerId },
        });
      }
      const key = handleKey(this.#index, h);
      // Already ours under this key: a retry after a crash between index and customer (older versions).
      if (existing?.key !== key) docs.push({ _id: key, customerId: id });
      handles.push(h);
    }
    if (input.email) {
      // An email typed in by staff counts as verified; it is indexed only when still free.
      const h = normaliseHandle({ kind: 'email', value: input.email, verified: true }, this.#region);
      const key = handleKey(this.#index, h);
      if (!(await this.#store.get(key))) {
        docs.push({ _id: key, customerId: id, kind: 'email', verified: true });
        handles.push(h);
      }
    }
    const doc: CustomerDoc = {
      ...fields,
      ...(phone ? { phone: phone.value, phoneRaw: phone.raw } : {}),
      ...(handles.length ? { handleList: JSON.stringify(handles) } : {}),
      type: 'customer',
      createdAt: at,
      updatedAt: at,
    };
    docs.push({ _id: docId(id), ...doc });
    for (const row of await this.#store.bulkPut(docs)) {
      if ('error' in row) {
        throw row.error === 'STORAGE_CONFLICT'
          ? new StorageError('STORAGE_CONFLICT', `Document update conflict [id:${row.id}]`, { status: 409 })
          : new StorageError('STORAGE_IO', `Cannot write customer [id:${row.id}]`);
      }
    }
    return { customer: toCustomer({ ...doc, _id: docId(id), _rev: '' }), created: true };
  }

  /**
   * Customers in full for the HQ projection (which shapes every field by the
   * residency policy before anything leaves); not a user read, so not audited
   * as one. One customer when `id` is given.
   */
  async syncSnapshot(id?: string): Promise<Customer[]> {
    if (id !== undefined) {
      const doc = await this.#store.get<CustomerDoc>(docId(id));
      return doc && doc.type === 'customer' ? [toCustomer(doc)] : [];
    }
    const docs = await this.#store.list<CustomerDoc>({ prefix: docId('') });
    return docs.filter((d) => d.type === 'customer').map(toCustomer);
  }

  /**
   * One page of customers in id order (stable; a page reads only its own
   * documents). Each listed profile is an audited read. `last` is the id to
   * resume after, absent on the last page.
   */
  async page(
    actor: Actor,
    options: { limit: number; after?: string },
  ): Promise<{ customers: Customer[]; last?: string }> {
    const prefix = docId('');
    if (options.after !== undefined && !options.after.startsWith(prefix)) {
      throw new BadInputError('HTTP_VALIDATION', 'Cannot read cursor: not one this listing gave out', {
        details: { issues: [{ path: 'cursor', code: 'bad_cursor' }] },
      });
    }
    const docs = await this.#store.list<CustomerDoc>({
      prefix,
      limit: options.limit + 1,
      ...(options.after === undefined ? {} : { after: options.after }),
    });
    const page = docs.slice(0, options.limit);
    await Promise.all(page.map((d) => this.#auditRead(actor, d._id.slice(prefix.length), 'list')));
    const last = docs.length > options.limit ? page.at(-1)?._id : undefined;
    return { customers: page.map(toCustomer), ...(last === undefined ? {} : { last }) };
  }

  async get(id: string, actor: Actor, purpose = 'view'): Promise<Customer> {
    const doc = await this.#store.get<CustomerDoc>(docId(id));
    if (!doc) throw new CustomersError('CUSTOMERS_NOT_FOUND', `No customer [id:${id}]`, { status: 404 });
    await this.#auditRead(actor, id, purpose);
    return toCustomer(doc);
  }

  /** A phone number read in this branch's region (E.164 plus what was typed); CUSTOMERS_INVALID_FIELD when it is none. */
  parsePhone(raw: string): ParsedPhone {
    return parsePhone(raw, this.#region);
  }

  /** Caller-ID → customer via the blind index (E.164, then pre-region keys); undefined when unknown. */
  async findByPhone(phone: string, actor: Actor): Promise<Customer | undefined> {
    const id = await this.lookup({ kind: 'phone', value: phone });
    return id ? this.get(id, actor, 'lookup') : undefined;
  }

  /** A customer's handles for delivering replies (no personal-data read is audited: nobody sees them). */
  async handlesOf(customerId: string): Promise<CustomerHandle[]> {
    const doc = await this.#store.get<CustomerDoc>(docId(customerId));
    return doc ? handlesIn(doc) : [];
  }

  /** The customer a handle belongs to (following merges), without reading personal data. */
  async lookup(handle: Handle): Promise<string | undefined> {
    const found = await findIndex(this.#store, handleKeys(this.#index, handle, this.#region));
    return found ? this.#follow(found.idx.customerId) : undefined;
  }

  /**
   * Finds or creates the customer behind an inbound sender. The first handle
   * with a link (same phone, unionid, openid, WeCom id, visitor, or a verified
   * email) wins; the sender's other unclaimed handles are added to that customer.
   */
  async resolve(handles: Handle[], options: { displayName?: string; actor: Actor }): Promise<Resolution> {
    if (handles.length === 0)
      throw new BadInputError('CUSTOMERS_INVALID_FIELD', 'resolve() needs at least one handle');
    const norm = handles.flatMap((h) => {
      try {
        return [{ ...normaliseHandle(h, this.#region), keys: handleKeys(this.#index, h, this.#region) }];
      } catch {
        return []; // a malformed secondary handle must not lose the message
      }
    });
    if (norm.length === 0) throw new CustomersError('CUSTOMERS_INVALID_FIELD', 'No usable handle');
    return this.#lock.run('handles', async () => {
      let customerId: string | undefined;
      for (const h of norm) {
        const found = await findIndex(this.#store, h.keys);
        if (found && canLink(h, found.idx)) {
          customerId = await this.#follow(found.idx.customerId);
          break;
        }
      }
      const created = customerId === undefined;
      if (customerId === undefined) {
        customerId = randomUUID();
        const at = this.#now().toISOString();
        const doc: CustomerDoc = {
          type: 'customer',
          name: options.displayName ?? '',
          createdAt: at,
          updatedAt: at,
        };
        await this.#store.create({ _id: docId(customerId), ...doc });
        await this.#bus.publish('customer.created', { customerId }, sourceOf(options.actor));
      }
      for (const [i, { keys, ...h }] of norm.entries()) {
        await this.#attach(customerId, h, keys, {
          actor: options.actor,
          strict: false,
          origin: created && i === 0,
        });
      }
      return { customerId, created };
    });
  }

  /** Links a handle to a customer; 409 CUSTOMERS_DUPLICATE_HANDLE when another customer holds it. */
  async addHandle(customerId: string, handle: Handle, actor: Actor): Promise<void> {
    const h = normaliseHandle(handle, this.#region);
    const keys = handleKeys(this.#index, handle, this.#region);
    await this.#lock.run('handles', () => this.#attach(customerId, h, keys, { actor, strict: true }));
  }

  /**
   * `keys` are the handle's index keys, canonical first. A handle found only
   * under a pre-region key of this customer is linked again under its
   * canonical key: the lazy migration of handles stored before regions.
   */
  async #attach(
    customerId: string,
    h: CustomerHandle,
    keys: readonly string[],
    o: { actor: Actor; strict: boolean; origin?: boolean },
  ): Promise<void> {
    const key = handleKey(this.#index, h);
    const found = await findIndex(this.#store, keys);
    if (found && (await this.#follow(found.idx.customerId)) !== customerId) {
      if (!o.strict) return;
      throw new CustomersError('CUSTOMERS_DUPLICATE_HANDLE', 'Handle already belongs to another customer', {
        status: 409,
        details: { kind: h.kind },
      });
    }
    const doc = await this.#store.get<CustomerDoc>(docId(customerId));
    if (!doc)
      throw new CustomersError('CUSTOMERS_NOT_FOUND', `No customer [id:${customerId}]`, { status: 404 });
    const list = handlesIn(doc);
    const same = list.find((x) => x.kind === h.kind && x.value === h.value);
    const idx = found?.key === key ? found.idx : undefined;
    if (idx && same && (same.verified || !h.verified)) return;
    if (same) same.verified ||= h.verified;
    else list.push(h);
    await pointHandle(this.#store, key, {
      customerId,
      kind: h.kind,
      verified: same?.verified ?? h.verified,
      ...(o.origin ? { origin: true } : {}),
    });
    const next: CustomerDoc & { _id: string; _rev: string } = {
      ...doc,
      handleList: JSON.stringify(list),
      updatedAt: this.#now().toISOString(),
    };
    if (h.kind === 'phone' && !doc.phone) next.phone = h.value;
    if (h.kind === 'email' && !doc.email) next.email = h.value;
    await this.#store.put(next);
    await this.#bus.publish(
      'customer.handle_linked',
      { customerId, kind: h.kind, verified: same?.verified ?? h.verified },
      sourceOf(o.actor),
    );
  }

  async #follow(id: string): Promise<string> {
    let cur = id;
    for (let i = 0; i < 8; i++) {
      const doc = await this.#store.get<CustomerDoc>(docId(cur));
      if (!doc?.mergedInto) return cur;
      cur = doc.mergedInto;
    }
    return cur;
  }

  /** Moves every handle of `sourceId` to `targetId`; returns the id that `unmerge` reverses. */
  merge(sourceId: string, targetId: string, actor: Actor): Promise<{ mergeId: string }> {
    return this.#lock.run('handles', () => this.#merges.merge(sourceId, targetId, sourceOf(actor)));
  }

  /** Reverses a merge: the moved handles point at the source again. */
  unmerge(mergeId: string, actor: Actor): Promise<void> {
    return this.#lock.run('handles', () => this.#merges.unmerge(mergeId, sourceOf(actor)));
  }

  /** Customers currently merged into `customerId` (transitively), for the 360 timeline. */
  mergedFrom(customerId: string): Promise<string[]> {
    return this.#merges.sourcesOf(customerId);
  }

  /** Lets tickets/CRM add a section (`tickets`, `orders`) to the customer 360. */
  registerProfileSection(name: string, fn: ProfileSection): () => void {
    this.#sections.set(name, fn);
    return () => this.#sections.delete(name);
  }

  /** Every registered section for a customer; a failing section yields an empty list. */
  async profileSections(customerId: string, actor: Actor): Promise<Record<string, unknown[]>> {
    // Concurrently: sections that share one read (CRM's orders and warranties) can then share it.
    const filled = await Promise.all(
      [...this.#sections].map(
        async ([name, fn]) => [name, await fn(customerId, actor).catch(() => [])] as const,
      ),
    );
    return Object.fromEntries(filled);
  }

  /**
   * Adds a check run before every erasure (legal holds); returns the function that removes it.
   * @example
   * const off = customers.addErasureGuard(async (id) => holds.blocking(id));
   */
  addErasureGuard(guard: ErasureGuard): () => void {
    this.#erasureGuards.push(guard);
    return () => {
      this.#erasureGuards = this.#erasureGuards.filter((g) => g !== guard);
    };
  }

  /**
   * PIPL erasure: destroys the customer's data key, then the documents and handle indexes.
   * Refused with CUSTOMERS_LEGAL_HOLD (409, details.holds) while a legal hold covers their data.
   */
  async shred(id: string, actor: Actor): Promise<void> {
    const doc = await this.#store.get<CustomerDoc>(docId(id));
    if (!doc) throw new CustomersError('CUSTOMERS_NOT_FOUND', `No customer [id:${id}]`, { status: 404 });
    const holds = (await Promise.all(this.#erasureGuards.map((g) => g(id)))).flat();
    if (holds.length > 0) {
      await this.#bus.publish(
        'customer.erasure_refused',
        { customerId: id, holdIds: holds.map((h) => h.holdId) },
        sourceOf(actor),
      );
      throw new CustomersError(
        'CUSTOMERS_LEGAL_HOLD',
        `Customer is under legal hold ${holds.map((h) => h.holdId).join(', ')} [id:${id}]`,
        { status: 409, details: { holds } },
      );
    }
    const keys = new Set(handlesIn(doc).map((h) => handleKey(this.#index, h)));
    if (doc.phone) keys.add(handleKey(this.#index, { kind: 'phone', value: doc.phone, verified: true }));
    await this.#shredder?.shred(`cust:${id}`);
    for (const key of keys) {
      const idx = await this.#store.get<HandleIndexDoc>(key);
      if (idx && idx.customerId === id) await this.#store.remove(key, idx._rev);
    }
    await this.#store.remove(docId(id), doc._rev);
    await this.#bus.publish('customer.shredded', { customerId: id }, sourceOf(actor));
  }
}
