import { againIn, type EventBus, SupervisedLoop } from '../../events/index.ts';
import { createLogger } from '../../logging/index.ts';
import { type DocStore, KeyedLock, StorageError } from '../../storage/index.ts';
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
 * Deliveries of one key are serialised in-process (a platform retry arrives while
 * the first delivery is in flight), so a duplicate never writes work to undo; the
 * worker is a SupervisedLoop, so a failing pass is alarmed and retried, never fatal.
 */

export class WechatInbox {
  #store: DocStore;
  #ingest: InboxHandler | undefined;
  #loop: SupervisedLoop;
  #keys = new KeyedLock();
  #closed = false;
  #retryMs: number;
  #seq = 0;

  constructor(store: DocStore, options: { retryMs?: number; bus?: EventBus } = {}) {
    this.#store = store;
    this.#retryMs = options.retryMs ?? 5000;
    this.#loop = new SupervisedLoop('wechat.inbox', async () => againIn(await this.#drain()), {
      backoffMs: this.#retryMs,
      ...(options.bus ? { bus: options.bus } : {}),
      log,
    });
  }

  /** Records a callback; false when it was seen before (a platform retry). */
  accept(flavour: Flavour, key: string, xml: string, now: Date): Promise<boolean> {
    return this.#keys.run(key, () => this.#accept(flavour, key, xml, now));
  }

  async #accept(flavour: Flavour, key: string, xml: string, now: Date): Promise<boolean> {
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
      // Another process (or a restore) won the marker: drop our copy of the work. The worker
      // tolerates an item that vanishes under it, so this removal cannot fail a drain.
      if (queued && 'rev' in queued) await this.#store.remove(item._id, queued.rev).catch(() => undefined);
      return false;
    }
    this.kick();
    return true;
  }

  /** Starts the worker: leftovers from before a restart are processed first. */
  start(ingest: InboxHandler): void {
    this.#ingest = ingest;
    this.#loop.start({ now: true });
  }

  /** Runs a drain now (or once more after the current one). */
  kick(): void {
    if (this.#closed || !this.#ingest) return;
    this.#loop.kick();
  }

  /** The worker's health: consecutive failed drains and the last error. */
  get status() {
    return this.#loop.status;
  }

  /** Resolves when no drain is running (tests). */
  idle(): Promise<void> {
    return this.#loop.idle();
  }

  /** One pass over the pending items; returns the retry delay when some are left to retry. */
  async #drain(): Promise<number | undefined> {
    const ingest = this.#ingest;
    if (!ingest) return undefined;
    const items = await this.#store.list<InboxItem>({ prefix: 'q:' });
    let retry = false;
    for (const item of items) {
      if (this.#closed) return undefined;
      if (item.state !== 'pending') continue;
      try {
        await ingest(item);
      } catch (err) {
        const attempts = item.attempts + 1;
        const failed = attempts >= MAX_ATTEMPTS || isPermanent(err);
        log.warn(`inbox item not ingested [id:${item._id}, attempts:${attempts}]`, { error: String(err) });
        const kept = await this.#settle(() =>
          this.#store.put({
            ...item,
            attempts,
            state: failed ? 'failed' : 'pending',
            lastError: String(err),
          }),
        );
        retry ||= kept && !failed;
        continue;
      }
      await this.#settle(() => this.#store.remove(item._id, item._rev));
    }
    return retry && !this.#closed ? this.#retryMs : undefined;
  }

  /** Writes an item's outcome; false when the item changed or vanished under the worker (listed afresh next pass). */
  async #settle(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'STORAGE_CONFLICT')) throw err;
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#loop.close();
  }
}

function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'WECHAT_BAD_XML';
}
