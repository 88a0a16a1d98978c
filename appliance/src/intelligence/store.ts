import { type DocStore, walkIndex } from '../storage/index.ts';
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

/**
 * `qi:all:<closedAt>:<contactId>` and `qi:ag:<agentId>:<closedAt>:<contactId>`:
 * the QA list's sort index (times and random ids; nothing personal).
 */
function qaKeys(r: Pick<QaResult, 'contactId' | 'agentId' | 'closedAt'>): string[] {
  const sort = `${r.closedAt}:${r.contactId}`;
  return [`qi:all:${sort}`, ...(r.agentId ? [`qi:ag:${encodeURIComponent(r.agentId)}:${sort}`] : [])];
}
const QA_INDEX_MIGRATION = 'qa-list-index-v1';

/** Filters of the QA list: one agent, closed in [from, to). */
export interface QaFilter {
  agentId?: string;
  from?: string;
  to?: string;
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

  /**
   * Writes a result; its new list-index entries go first and the ones it no
   * longer has are removed after (a crash in between leaves an entry that
   * `qaPage()` skips, since it re-checks each result against its entry).
   */
  async putQa(r: QaResult): Promise<void> {
    const prior = await this.qa(r.contactId);
    await this.#indexEntries(r.contactId, prior ? qaKeys(prior) : [], qaKeys(r));
    await upsert(this.#db, `qa:${r.contactId}`, r);
    if (prior) await this.#dropEntries(qaKeys(prior).filter((k) => !qaKeys(r).includes(k)));
  }

  async #indexEntries(contactId: string, before: string[], after: string[]): Promise<void> {
    const added = after.filter((k) => !before.includes(k));
    // An entry already there answers a conflict: fine.
    if (added.length > 0)
      await this.#db.bulkPut<{ contactId: string }>(added.map((k) => ({ _id: k, contactId })));
  }

  async #dropEntries(keys: string[]): Promise<void> {
    for (const key of keys) {
      const d = await this.#db.get(key);
      if (d) await this.#db.remove(d._id, d._rev).catch(() => undefined);
    }
  }

  /**
   * A page of results, newest closed first, through the `qi:` index: a page
   * reads about its own size whatever the total. `last` resumes the listing.
   */
  async qaPage(
    filter: QaFilter,
    page: { limit: number; after?: string },
  ): Promise<{ items: QaResult[]; last?: string }> {
    await this.#backfillQaIndex();
    return walkIndex<{ contactId: string }, QaResult>(this.#db, {
      prefixes: [filter.agentId ? `qi:ag:${encodeURIComponent(filter.agentId)}:` : 'qi:all:'],
      limit: page.limit,
      after: page.after ?? filter.to,
      until: filter.from,
      descending: true,
      load: (entries) => Promise.all(entries.map((e) => this.qa(e.contactId))),
      accept: (r, e) => qaKeys(r).includes(e._id),
    });
  }

  #backfilled: Promise<void> | undefined;
  /** Index entries for results stored before the index existed (once per database). */
  #backfillQaIndex(): Promise<void> {
    this.#backfilled ??= (async () => {
      if (await this.migrated(QA_INDEX_MIGRATION)) return;
      const all = await this.qaAll();
      for (let i = 0; i < all.length; i += 500) {
        const batch = all.slice(i, i + 500);
        await this.#db.bulkPut<{ contactId: string }>(
          batch.flatMap((r) => qaKeys(r).map((k) => ({ _id: k, contactId: r.contactId }))),
        );
      }
      await this.markMigrated(QA_INDEX_MIGRATION, { results: all.length });
    })().catch((err) => {
      this.#backfilled = undefined;
      throw err;
    });
    return this.#backfilled;
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
    const d = await this.#db.get<QaResult>(`qa:${contactId}`);
    if (!d) return;
    await this.#db.remove(d._id, d._rev);
    await this.#dropEntries(qaKeys(d));
  }
  async migrated(name: string): Promise<boolean> {
    return (await this.#db.get(`mig:${name}`)) !== undefined;
  }
  async markMigrated(name: string, details: Record<string, number>): Promise<void> {
    await this.#db.create({ _id: `mig:${name}`, ...details });
  }
}
