import { type DocStore, KeyedLock } from '../storage/index.ts';

interface QuotaDoc {
  userId: string;
  /** UTC day, YYYY-MM-DD; a new day starts the count again. */
  day: string;
  count: number;
}

/**
 * Each agent's dial-outs for the day, counted on disk: a restart must not hand
 * out a fresh allowance (toll fraud is often tried by bouncing the service).
 * One document per user, overwritten when the day turns, so nothing piles up.
 */
export class DialQuota {
  #store: DocStore;
  #lock = new KeyedLock();
  #now: () => number;

  constructor(store: DocStore, options: { now?: () => number } = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
  }

  /** Calls already placed today by `userId`. */
  async used(userId: string): Promise<number> {
    const doc = await this.#store.get<QuotaDoc>(this.#id(userId));
    return doc && doc.day === this.#day() ? doc.count : 0;
  }

  /** Counts one more call if the user is under `limit` today; false (nothing written) when not. */
  take(userId: string, limit: number): Promise<boolean> {
    return this.#lock.run(userId, async () => {
      const id = this.#id(userId);
      const day = this.#day();
      const doc = await this.#store.get<QuotaDoc>(id);
      const count = doc && doc.day === day ? doc.count : 0;
      if (count >= limit) return false;
      await this.#store.put<QuotaDoc>({
        _id: id,
        ...(doc ? { _rev: doc._rev } : {}),
        userId,
        day,
        count: count + 1,
      });
      return true;
    });
  }

  #id(userId: string): string {
    return `dialquota:${userId}`;
  }

  #day(): string {
    return new Date(this.#now()).toISOString().slice(0, 10);
  }
}
