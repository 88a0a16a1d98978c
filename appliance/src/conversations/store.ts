import { createHash, randomUUID } from 'node:crypto';
import { type DocStore, StorageError, type StoredDoc, walkIndex } from '../storage/index.ts';
import { type ContactListFilter, contactListKeys, listingPrefixes } from './contact-index.ts';
import type {
  Attachment,
  AttachmentInput,
  Channel,
  Contact,
  IngestResult,
  Message,
  QuarantinedAttachment,
} from './types.ts';

/** Fields sealed under the customer's key (`cust:<customerId>`): bodies, file names, file bytes. */
export const CONVERSATION_SEALED_FIELDS = ['text', 'blob', 'fileName'] as const;

/** Key id for the encrypting store: a document that names a customer is sealed under that customer's key. */
export function conversationKeyIdFor(doc: Record<string, unknown>): string {
  return typeof doc['customerId'] === 'string' ? `cust:${doc['customerId']}` : 'pii';
}

export type MessageDoc = Message & { type: 'message'; customerId: string };
type ContactDoc = Contact & { type: 'contact' };
interface AttachmentDoc {
  type: 'attachment';
  customerId: string;
  fileName: string;
  mime: string;
  bytes: number;
  blob: string;
  /** Quarantined by a channel's policy: not downloadable until released. */
  blocked?: boolean;
}

/** `qa:<attachmentId>`: the admin's quarantine list (file name sealed under the customer's key). */
export type QuarantineDoc = Omit<QuarantinedAttachment, 'name'> & { fileName: string };

// Messages with the same timestamp keep arrival order within this process.
let arrival = 0;
const order = () => (arrival++ % 1e9).toString().padStart(9, '0');

/** `cx:<customerId>:<createdAt>:<contactId>`: a customer's contacts by time, for the bounded 360. */
function contactEntry(c: Pick<Contact, 'id' | 'customerId' | 'createdAt'>) {
  return { _id: `cx:${c.customerId}:${c.createdAt}:${c.id}`, contactId: c.id };
}

/** Document layout of the conversations database; keys are built here only. */
export class ConversationStore {
  #db: DocStore;
  #blind: (kind: string, value: string) => string;

  constructor(db: DocStore, blind: (kind: string, value: string) => string) {
    this.#db = db;
    this.#blind = blind;
  }

  get db(): DocStore {
    return this.#db;
  }

  dedupeKey(channel: Channel, externalId: string): string {
    return `x:${channel}:${this.#blind('extid', `${channel}\u0000${externalId}`)}`;
  }

  threadKey(channel: Channel, threadKey: string): string {
    return `th:${channel}:${this.#blind('thread', `${channel}\u0000${threadKey}`)}`;
  }

  async seen(key: string): Promise<Omit<IngestResult, 'duplicate'> | undefined> {
    const d = await this.#db.get<Omit<IngestResult, 'duplicate'>>(key);
    if (!d) return undefined;
    return {
      customerId: d.customerId,
      conversationId: d.conversationId,
      contactId: d.contactId,
      messageId: d.messageId,
    };
  }

  /**
   * The id of the message ingested under a dedupe key: name-based (v5 layout over
   * SHA-256 of the blinded key), so a replay after a crash names the same message.
   */
  inboundMessageId(dedupeKey: string): string {
    const h = createHash('sha256').update(`branchline:inbound:${dedupeKey}`).digest();
    h[6] = (h[6]! & 0x0f) | 0x50;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  /**
   * Stores an inbound message, its index, its quarantine entries and its dedupe
   * marker in one durable commit, so after a kill either all are there (a replay
   * finds the marker) or none (a replay stores the message). False when the
   * marker or the message id already exists: nothing of this write is kept.
   */
  async addInbound(
    m: Message,
    customerId: string,
    o: { dedupeKey: string; quarantine: QuarantinedAttachment[] },
  ): Promise<boolean> {
    const key = `m:${m.conversationId}:${m.at}:${order()}:${m.id}`;
    const marker = { customerId, conversationId: m.conversationId, contactId: m.contactId, messageId: m.id };
    const docs: Array<{ _id: string } & Record<string, unknown>> = [
      { _id: o.dedupeKey, ...marker },
      { ...m, customerId, type: 'message', _id: key },
      { _id: `mi:${m.id}`, key },
      ...o.quarantine.map(quarantineDoc),
    ];
    const rows = await this.#db.bulkPut<object>(docs);
    const failed = rows.filter((r) => 'error' in r);
    if (failed.length === 0) return true;
    // Undo what did land, so a lost race leaves the winner's documents only.
    for (const r of rows) if ('rev' in r) await this.#db.remove(r.id, r.rev).catch(() => undefined);
    const mine = new Set([o.dedupeKey, `mi:${m.id}`]);
    if (failed.every((r) => r.error === 'STORAGE_CONFLICT' && mine.has(r.id))) return false;
    const first = failed[0] as { id: string; error: string };
    throw new StorageError(
      first.error as StorageError['code'],
      `Cannot store inbound message [doc:${first.id}]`,
    );
  }

  /** One conversation per customer: the thread across every channel. */
  async conversationOf(customerId: string, at: string): Promise<string> {
    const idx = await this.#db.get<{ conversationId: string }>(`cc:${customerId}`);
    if (idx) return idx.conversationId;
    const conversationId = randomUUID();
    await this.#db.create({ _id: `cv:${conversationId}`, type: 'conversation', customerId, createdAt: at });
    await this.#db.create({ _id: `cc:${customerId}`, conversationId });
    return conversationId;
  }

  async existingConversationOf(customerId: string): Promise<string | undefined> {
    return (await this.#db.get<{ conversationId: string }>(`cc:${customerId}`))?.conversationId;
  }

  async threadContact(key: string): Promise<string | undefined> {
    return (await this.#db.get<{ contactId: string }>(key))?.contactId;
  }

  async setThreadContact(key: string, contactId: string): Promise<void> {
    const prior = await this.#db.get<{ contactId: string }>(key);
    await this.#db.put({ _id: key, contactId, ...(prior ? { _rev: prior._rev } : {}) });
  }

  async contact(id: string): Promise<StoredDoc<ContactDoc> | undefined> {
    return this.#db.get<ContactDoc>(`ct:${id}`);
  }

  /**
   * A new contact is written with its customer-index and list-index entries in
   * one commit. An update writes the list-index entries the contact gains in
   * the same commit and removes the ones it lost after it (a crash in between
   * leaves an entry that `pageContacts()` skips, since it re-checks each
   * contact against its entry). `prior` spares a read when the caller has it.
   */
  async putContact(c: Contact, rev?: string, prior?: Contact): Promise<void> {
    const doc: ContactDoc & { _id: string; _rev?: string } = {
      ...c,
      type: 'contact',
      _id: `ct:${c.id}`,
      ...(rev ? { _rev: rev } : {}),
    };
    const entries = (keys: string[]) => keys.map((k) => ({ _id: k, contactId: c.id }));
    if (!rev) {
      const [row] = await this.#db.bulkPut<object>([doc, contactEntry(c), ...entries(contactListKeys(c))]);
      throwUnlessWritten(row, c.id);
      return;
    }
    const was = prior ?? (await this.contact(c.id));
    const before = was ? contactListKeys(was) : [];
    const after = contactListKeys(c);
    const added = after.filter((k) => !before.includes(k));
    if (added.length === 0) await this.#db.put<ContactDoc>(doc);
    else throwUnlessWritten((await this.#db.bulkPut<object>([doc, ...entries(added)]))[0], c.id);
    for (const key of before.filter((k) => !after.includes(k))) {
      const stale = await this.#db.get(key);
      if (stale) await this.#db.remove(key, stale._rev).catch(() => undefined);
    }
  }

  /**
   * A page of contacts, newest first, merged from the list indexes the filter
   * names: reads about a page of contacts whatever the total. `last` resumes it.
   */
  async pageContacts(
    filter: ContactListFilter,
    page: { limit: number; after?: string },
  ): Promise<{ items: Contact[]; last?: string }> {
    return walkIndex<{ contactId: string }, Contact>(this.#db, {
      prefixes: listingPrefixes(filter),
      limit: page.limit,
      after: page.after,
      descending: true,
      load: async (es) =>
        (await Promise.all(es.map((e) => this.contact(e.contactId)))).map((d) => d && stripContact(d)),
      accept: (c, e) => contactListKeys(c).includes(e._id),
    });
  }

  /** Adds the list-index entries of contacts stored before those indexes existed; an existing entry is kept. */
  async indexContactLists(batch = 500): Promise<number> {
    let after: string | undefined;
    let count = 0;
    for (;;) {
      const docs = await this.#db.list<ContactDoc>({
        prefix: 'ct:',
        limit: batch,
        ...(after ? { after } : {}),
      });
      const entries = docs.flatMap((d) => contactListKeys(d).map((k) => ({ _id: k, contactId: d.id })));
      if (entries.length > 0) await this.#db.bulkPut<{ contactId: string }>(entries);
      count += docs.length;
      after = docs.at(-1)?._id;
      if (docs.length < batch) return count;
    }
  }

  /**
   * A customer's latest contacts, newest first, through the `cx:` index
   * (customer id, creation time, contact id; nothing personal): reads only
   * what it returns. An entry whose contact now names another customer is skipped.
   */
  async recentContactsOf(customerId: string, limit: number): Promise<Contact[]> {
    const entries = await this.#db.list<{ contactId: string }>({
      prefix: `cx:${customerId}:`,
      descending: true,
      limit,
    });
    const docs = await Promise.all(entries.map((e) => this.contact(e.contactId)));
    return docs
      .filter((d) => d !== undefined && d.customerId === customerId)
      .map((d) => stripContact(d as StoredDoc<ContactDoc>));
  }

  /** Adds the `cx:` entries of contacts stored before the index existed; an existing entry is left alone. */
  async indexContacts(batch = 500): Promise<number> {
    let after: string | undefined;
    let count = 0;
    for (;;) {
      const docs = await this.#db.list<ContactDoc>({
        prefix: 'ct:',
        limit: batch,
        ...(after ? { after } : {}),
      });
      if (docs.length > 0) await this.#db.bulkPut<object>(docs.map((d) => contactEntry(d)));
      count += docs.length;
      after = docs.at(-1)?._id;
      if (docs.length < batch) return count;
    }
  }

  async contacts(): Promise<Contact[]> {
    return (await this.#db.list<ContactDoc>({ prefix: 'ct:' })).map(stripContact);
  }

  async addMessage(m: Message, customerId: string): Promise<void> {
    const key = `m:${m.conversationId}:${m.at}:${order()}:${m.id}`;
    await this.#db.create<MessageDoc>({ ...m, customerId, type: 'message', _id: key });
    await this.#db.create({ _id: `mi:${m.id}`, key });
  }

  async message(id: string): Promise<StoredDoc<MessageDoc> | undefined> {
    const idx = await this.#db.get<{ key: string }>(`mi:${id}`);
    return idx ? this.#db.get<MessageDoc>(idx.key) : undefined;
  }

  async putMessage(doc: StoredDoc<MessageDoc>): Promise<void> {
    await this.#db.put(doc);
  }

  /** Every stored message of every conversation (a scan, for start-up migrations). */
  allMessages(): Promise<StoredDoc<MessageDoc>[]> {
    return this.#db.list<MessageDoc>({ prefix: 'm:' });
  }

  /** Deletes a message and its id index. */
  async removeMessage(doc: StoredDoc<MessageDoc>): Promise<void> {
    const idx = await this.#db.get<{ key: string }>(`mi:${doc.id}`);
    await this.#db.remove(doc._id, doc._rev);
    if (idx) await this.#db.remove(idx._id, idx._rev);
  }

  /** Whether a named one-off migration has run; `markMigrated` records that it has. */
  async migrated(name: string): Promise<boolean> {
    return (await this.#db.get(`mig:${name}`)) !== undefined;
  }

  async markMigrated(name: string, details: Record<string, number>): Promise<void> {
    await this.#db.create({ _id: `mig:${name}`, ...details });
  }

  /** The latest `limit` messages of a conversation, newest first (keys sort by time). */
  /** The conversation's latest `limit` messages, oldest first (stored order, as `messages()`). */
  async recentMessages(conversationId: string, limit: number): Promise<MessageDoc[]> {
    const docs = await this.#db.list<MessageDoc>({ prefix: `m:${conversationId}:`, descending: true, limit });
    return docs.reverse().map(({ _id, _rev, ...m }) => m);
  }

  async messages(conversationId: string): Promise<MessageDoc[]> {
    const docs = await this.#db.list<MessageDoc>({ prefix: `m:${conversationId}:` });
    return docs.map(({ _id, _rev, ...m }) => m);
  }

  async addAttachment(a: AttachmentInput, customerId: string, blocked = false): Promise<Attachment> {
    const id = randomUUID();
    await this.#db.create<AttachmentDoc>({
      _id: `a:${id}`,
      type: 'attachment',
      customerId,
      fileName: a.name,
      mime: a.mime,
      bytes: a.data.byteLength,
      blob: Buffer.from(a.data).toString('base64'),
      ...(blocked ? { blocked: true } : {}),
    });
    return { id, name: a.name, mime: a.mime, bytes: a.data.byteLength };
  }

  async attachment(
    id: string,
  ): Promise<(Attachment & { customerId: string; data: Uint8Array; blocked: boolean }) | undefined> {
    const d = await this.#db.get<AttachmentDoc>(`a:${id}`);
    if (!d) return undefined;
    return {
      id,
      name: d.fileName,
      mime: d.mime,
      bytes: d.bytes,
      customerId: d.customerId,
      data: new Uint8Array(Buffer.from(d.blob, 'base64')),
      blocked: d.blocked === true,
    };
  }

  /** Makes a quarantined file downloadable (idempotent). */
  async unblockAttachment(id: string): Promise<void> {
    const d = await this.#db.get<AttachmentDoc>(`a:${id}`);
    if (!d?.blocked) return;
    const { blocked, ...rest } = d;
    await this.#db.put(rest);
  }

  async putQuarantine(q: QuarantinedAttachment, rev?: string): Promise<void> {
    await this.#db.put<QuarantineDoc>({ ...quarantineDoc(q), ...(rev ? { _rev: rev } : {}) });
  }

  async quarantined(id: string): Promise<{ entry: QuarantinedAttachment; rev: string } | undefined> {
    const d = await this.#db.get<QuarantineDoc>(`qa:${id}`);
    if (!d) return undefined;
    const { _id, _rev, fileName, ...rest } = d;
    return { entry: { ...rest, name: fileName }, rev: _rev };
  }

  async quarantineList(): Promise<QuarantinedAttachment[]> {
    const docs = await this.#db.list<QuarantineDoc>({ prefix: 'qa:' });
    return docs.map(({ _id, _rev, fileName, ...rest }) => ({ ...rest, name: fileName }));
  }
}

function quarantineDoc(q: QuarantinedAttachment): QuarantineDoc & { _id: string } {
  const { name, ...rest } = q;
  return { ...rest, fileName: name, _id: `qa:${q.id}` };
}

function throwUnlessWritten(row: { id: string } | { error: string } | undefined, id: string): void {
  if (row && !('error' in row)) return;
  const code = row && 'error' in row && row.error === 'STORAGE_CONFLICT' ? 'STORAGE_CONFLICT' : 'STORAGE_IO';
  throw new StorageError(code, `Cannot write contact [id:${id}]`, {
    status: code === 'STORAGE_CONFLICT' ? 409 : 500,
  });
}

function stripContact(d: StoredDoc<ContactDoc>): Contact {
  const { _id, _rev, type, ...c } = d;
  return c;
}

export function contactOf(d: StoredDoc<ContactDoc>): Contact {
  return stripContact(d);
}
