import type { DocStore } from '../storage/index.ts';
import type { LabelledExample } from './classifier.ts';
import type { IntelligenceSettings, QaResult } from './types.ts';

export const DEFAULT_SETTINGS: IntelligenceSettings = {
  botEnabled: false,
  confidenceThreshold: 0.7,
  faqScoreThreshold: 1.5,
  maxBotTurns: 6,
  botIdleMinutes: 30,
};

/** Sealed fields: learned utterances and remembered agent replies are customer conversation text. */
export const SEALED_FIELDS = ['text'];
export const keyIdFor = (d: Record<string, unknown>) =>
  typeof d['customerId'] === 'string' ? `cust:${d['customerId']}` : 'pii';

export interface ReplyMemory {
  intent: string;
  text: string;
  customerId: string;
  at: string;
}

/** Upserts a document, retrying once on a concurrent writer. */
async function upsert<T extends object>(db: DocStore, id: string, value: T): Promise<void> {
  for (let i = 0; ; i++) {
    const prior = await db.get<T>(id);
    try {
      await db.put({ ...value, _id: id, ...(prior ? { _rev: prior._rev } : {}) });
      return;
    } catch (err) {
      if (i >= 2) throw err;
    }
  }
}

/** Intelligence's documents: settings, learned examples, reply memory and QA results. */
export class IntelligenceStore {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  async settings(): Promise<IntelligenceSettings> {
    const d = await this.#db.get<IntelligenceSettings>('settings');
    if (!d) return { ...DEFAULT_SETTINGS };
    const { _id, _rev, ...s } = d;
    return { ...DEFAULT_SETTINGS, ...s };
  }
  putSettings(s: IntelligenceSettings): Promise<void> {
    return upsert(this.#db, 'settings', s);
  }

  async addExample(e: LabelledExample & { customerId?: string; at: string }): Promise<void> {
    await this.#db.create({ ...e, _id: `example:${e.at}:${crypto.randomUUID()}` });
  }
  async examples(): Promise<LabelledExample[]> {
    const docs = await this.#db.list<LabelledExample>({ prefix: 'example:' });
    return docs.map((d) => ({ text: d.text, intent: d.intent, ...(d.weight ? { weight: d.weight } : {}) }));
  }

  async addReply(r: ReplyMemory): Promise<void> {
    await this.#db.create({ ...r, _id: `reply:${r.intent}:${r.at}:${crypto.randomUUID()}` });
  }
  async replies(intent: string): Promise<ReplyMemory[]> {
    return (await this.#db.list<ReplyMemory>({ prefix: `reply:${intent}:` })).map(({ _id, _rev, ...r }) => r);
  }

  putQa(r: QaResult): Promise<void> {
    return upsert(this.#db, `qa:${r.contactId}`, r);
  }
  async qa(contactId: string): Promise<QaResult | undefined> {
    const d = await this.#db.get<QaResult>(`qa:${contactId}`);
    if (!d) return undefined;
    const { _id, _rev, ...r } = d;
    return r;
  }
  async qaAll(): Promise<QaResult[]> {
    return (await this.#db.list<QaResult>({ prefix: 'qa:' })).map(({ _id, _rev, ...r }) => r);
  }
  async removeQa(contactId: string): Promise<void> {
    const d = await this.#db.get(`qa:${contactId}`);
    if (d) await this.#db.remove(d._id, d._rev);
  }
  async migrated(name: string): Promise<boolean> {
    return (await this.#db.get(`mig:${name}`)) !== undefined;
  }
  async markMigrated(name: string, details: Record<string, number>): Promise<void> {
    await this.#db.create({ _id: `mig:${name}`, ...details });
  }
}
