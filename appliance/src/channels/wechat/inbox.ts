import { createLogger } from '../../logging/index.ts';
import type { DocStore } from '../../storage/index.ts';
import type { Flavour, InboxItem } from './types.ts';

const log = createLogger('channels.wechat');
const MAX_ATTEMPTS = 5;

/** Processes one inbox item; throwing leaves it for a bounded number of retries. */
export type InboxHandler = (item: InboxItem) => Promise<void>;

/**
 * Durable inbox: a verified callback is written here (one fsynced commit) before
 * the platform gets its "success", then a worker ingests it asynchronously.
 * `seen:<key>` marks a message ever accepted (retries are acknowledged and dropped);
 * `q:<time>:<seq>:<key>` is the pending work in arrival order, removed once
 * ingested. Both go in one bulkPut, so a crash leaves either both or neither.
 */

export class WechatInbox {
  #store: DocStore;
  #ingest: InboxHandler | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #retryMs: number;
  #seq = 0;

  constructor(store: DocStore, options: { retryMs?: number } = {}) {
    this.#store = store;
    this.#retryMs = options.retryMs ?? 5000;
  }

  /** Records a callback; false when it was seen before (a platform retry). */
  async accept(flavour: Flavour, key: string, xml: string, now: Date): Promise<boolean> {
    if (await this.#store.get(`seen:${key}`)) return false;
    const item: InboxItem & { _id: string } = {
      // Arrival order, not key (hash) order: a slow media fetch must not let later messages overtake.
      _id: `q:${now.toISOString()}:${String(++this.#seq % 1e6).padStart(6, '0')}:${key}`,
      flavour,
      xml,
      receivedAt: now.toISOString(),
      attempts: 0,
      state: 'pending',
    };
    const marker: { _id: string; at: string } = { _id: `seen:${key}`, at: item.receivedAt };
    const [seen, queued] = await this.#store.bulkPut<object>([marker, item]);
    if (seen && 'error' in seen) {
      // A concurrent delivery of the same message won the marker: drop our copy of the work.
      if (queued && 'rev' in queued) await this.#store.remove(item._id, queued.rev);
      return false;
    }
    this.kick();
    return true;
  }

  /** Starts the worker: leftovers from before a restart are processed first. */
  start(ingest: InboxHandler): void {
    this.#ingest = ingest;
    this.kick();
  }

  /** Runs a drain now (or once more after the current one). */
  kick(): void {
    if (this.#closed || !this.#ingest) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /** Resolves when no drain is running (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    const ingest = this.#ingest;
    if (!ingest) return;
    const items = await this.#store.list<InboxItem>({ prefix: 'q:' });
    let retry = false;
    for (const item of items) {
      if (this.#closed) return;
      if (item.state !== 'pending') continue;
      try {
        await ingest(item);
        await this.#store.remove(item._id, item._rev);
      } catch (err) {
        const attempts = item.attempts + 1;
        const failed = attempts >= MAX_ATTEMPTS || isPermanent(err);
        log.warn(`inbox item not ingested [id:${item._id}, attempts:${attempts}]`, { error: String(err) });
        await this.#store.put({
          ...item,
          attempts,
          state: failed ? 'failed' : 'pending',
          lastError: String(err),
        });
        retry ||= !failed;
      }
    }
    if (retry && !this.#closed) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.kick(), this.#retryMs);
      this.#timer.unref();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.idle();
  }
}

function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'WECHAT_BAD_XML';
}
