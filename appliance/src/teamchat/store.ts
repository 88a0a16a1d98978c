import type { DocStore, StoredDoc } from '../storage/index.ts';
import type { Channel, ChatMessage } from './types.ts';

const pad = (n: number) => String(n).padStart(9, '0');
export const channelKey = (id: string) => `ch:${id}`;
export const messageKey = (channelId: string, seq: number) => `msg:${channelId}:${pad(seq)}`;
const readKey = (userId: string, channelId: string) => `read:${userId}:${channelId}`;

/** Fields sealed at rest: message bodies and consult topics may hold customer data. */
export const SEALED_FIELDS = ['body', 'topic'];

/** Per-customer key when the thread names one, so PIPL erasure shreds consult threads too. */
export function keyIdFor(doc: Record<string, unknown>): string {
  return typeof doc['customerId'] === 'string' ? `cust:${doc['customerId']}` : 'teamchat';
}

function strip<T extends object>(doc: StoredDoc<T>): T {
  const { _id, _rev, ...rest } = doc;
  return rest as unknown as T;
}

/** Typed access over the (encrypting) team-chat store. */
export class ChatStore {
  #db: DocStore;
  constructor(db: DocStore) {
    this.#db = db;
  }

  async channel(id: string): Promise<StoredDoc<Channel> | undefined> {
    return this.#db.get<Channel>(channelKey(id));
  }

  async putChannel(c: Channel & { _rev?: string }): Promise<void> {
    await this.#db.put({ ...c, _id: channelKey(c.id) });
  }

  async channels(): Promise<Channel[]> {
    return (await this.#db.list<Channel>({ prefix: 'ch:' })).map(strip);
  }

  async putMessage(m: ChatMessage): Promise<void> {
    await this.#db.create({ ...m, _id: messageKey(m.channelId, m.seq) });
  }

  /** Messages after `afterSeq`, oldest first, or the newest `limit` when `afterSeq` is absent. */
  async messages(channelId: string, options: { afterSeq?: number; limit: number }): Promise<ChatMessage[]> {
    const prefix = `msg:${channelId}:`;
    if (options.afterSeq === undefined) {
      const newest = await this.#db.list<ChatMessage>({ prefix, descending: true, limit: options.limit });
      return newest.map(strip).reverse();
    }
    const after = messageKey(channelId, options.afterSeq);
    return (await this.#db.list<ChatMessage>({ prefix, after, limit: options.limit })).map(strip);
  }

  async lastRead(userId: string, channelId: string): Promise<number> {
    return (await this.#db.get<{ seq: number }>(readKey(userId, channelId)))?.seq ?? 0;
  }

  async setLastRead(userId: string, channelId: string, seq: number): Promise<void> {
    const prior = await this.#db.get<{ seq: number }>(readKey(userId, channelId));
    if (prior && prior.seq >= seq) return;
    await this.#db.put({ _id: readKey(userId, channelId), seq, ...(prior ? { _rev: prior._rev } : {}) });
  }
}
