import {
  type CryptoFacade,
  type DocStore,
  EncryptedDocStore,
  StorageError,
  type StoredDoc,
} from '../storage/index.ts';
import { type DialogueDoc, type DialogueRecord, decodeRecord, encodeRecord } from './dialogue-codec.ts';

const PREFIX = 'dialogue:';
const idOf = (contactId: string) => `${PREFIX}${contactId}`;

export type LoadResult =
  | { kind: 'none' }
  | { kind: 'ok'; record: DialogueRecord; rev: string }
  | { kind: 'unreadable'; problem: string };

/** What the sweeper and shredding need, read without decrypting anything. */
export interface DialogueMeta {
  contactId: string;
  customerId?: string;
  updatedAt: number;
  turns: number;
  lang: 'zh' | 'en';
}

/**
 * Bot dialogue documents (`dialogue:<contactId>`) in the intelligence
 * database. The state is sealed under the customer's key, so shredding the
 * customer destroys it even before the documents are removed.
 */
export class DialogueStore {
  #raw: DocStore;
  #db: DocStore;

  constructor(raw: DocStore, options: { crypto: CryptoFacade }) {
    this.#raw = raw;
    this.#db = new EncryptedDocStore(raw, {
      crypto: options.crypto,
      fields: ['sealed'],
      keyIdFor: (d) => `cust:${String(d['customerId'])}`,
    });
  }

  /** The current revision, read without decrypting (the cache checks it against its copy). */
  async revOf(contactId: string): Promise<string | undefined> {
    return (await this.#raw.get(idOf(contactId)))?._rev;
  }

  async load(contactId: string): Promise<LoadResult> {
    let doc: StoredDoc<Partial<DialogueDoc>>;
    try {
      const got = await this.#db.get<Partial<DialogueDoc>>(idOf(contactId));
      if (!got) return { kind: 'none' };
      doc = got;
    } catch (err) {
      // Disk trouble is not "no state"; anything the decryption rejects is.
      if (err instanceof StorageError && err.code === 'STORAGE_IO') throw err;
      return { kind: 'unreadable', problem: err instanceof Error ? err.message : String(err) };
    }
    const r = decodeRecord(doc);
    if ('problem' in r) return { kind: 'unreadable', problem: r.problem };
    if (r.contactId !== contactId) return { kind: 'unreadable', problem: 'doc names another contact' };
    return { kind: 'ok', record: r, rev: doc._rev };
  }

  /** Writes the record (fsynced before it resolves); returns the new revision. */
  async save(record: DialogueRecord, rev: string | undefined): Promise<string> {
    const doc = { ...encodeRecord(record), _id: idOf(record.contactId) };
    try {
      return (await this.#db.put(rev ? { ...doc, _rev: rev } : doc)).rev;
    } catch (err) {
      // A stale cached revision (e.g. the sweeper removed the doc meanwhile): the caller holds the lock, so write over it.
      if (!(err instanceof StorageError) || err.code !== 'STORAGE_CONFLICT') throw err;
      const now = await this.revOf(record.contactId);
      return (await this.#db.put(now ? { ...doc, _rev: now } : doc)).rev;
    }
  }

  async remove(contactId: string): Promise<boolean> {
    const d = await this.#raw.get(idOf(contactId));
    if (!d) return false;
    await this.#raw.remove(d._id, d._rev);
    return true;
  }

  async meta(contactId: string): Promise<DialogueMeta | undefined> {
    const d = await this.#raw.get<Partial<DialogueDoc>>(idOf(contactId));
    return d && metaOf(d._id, d);
  }

  /** Every dialogue's metadata; a damaged doc shows as idle since 1970 so the sweeper clears it. */
  async scan(): Promise<DialogueMeta[]> {
    return (await this.#raw.list<Partial<DialogueDoc>>({ prefix: PREFIX })).map((d) => metaOf(d._id, d));
  }
}

function metaOf(id: string, d: Partial<DialogueDoc>): DialogueMeta {
  return {
    contactId: id.slice(PREFIX.length),
    ...(typeof d.customerId === 'string' ? { customerId: d.customerId } : {}),
    updatedAt: Number.isFinite(d.updatedAt) ? (d.updatedAt as number) : 0,
    turns: Number.isFinite(d.turns) ? (d.turns as number) : 0,
    lang: d.lang === 'zh' ? 'zh' : 'en',
  };
}
