import { createLogger } from '../logging/index.ts';
import { KeyedLock } from '../storage/index.ts';
import { newSession } from './dialogue.ts';
import type { DialogueRecord } from './dialogue-codec.ts';
import type { DialogueMeta, DialogueStore } from './dialogue-store.ts';

const log = createLogger('intelligence');

export type OpenStatus = 'new' | 'resumed' | 'expired' | 'unreadable';

export interface Opened {
  status: OpenStatus;
  /** A copy: the caller mutates it through a turn and hands it to save(). */
  record: DialogueRecord;
}

export interface DialogueMemoryOptions {
  /** How long a dialogue may sit idle before it is closed (read on every use: settings change live). */
  idleMs: () => number;
  now?: () => number;
}

/**
 * The bot's dialogue state per chat: the store is the truth, the in-memory
 * copy only saves decrypting when its revision still matches. Callers run a
 * chat's reads and writes inside run(contactId, …) so two messages cannot
 * both advance one dialogue.
 */
export class DialogueMemory {
  #store: DialogueStore;
  #idleMs: () => number;
  #now: () => number;
  #cache = new Map<string, { record: DialogueRecord; rev: string }>();
  #lock = new KeyedLock();

  constructor(store: DialogueStore, options: DialogueMemoryOptions) {
    this.#store = store;
    this.#idleMs = options.idleMs;
    this.#now = options.now ?? Date.now;
  }

  run<T>(contactId: string, task: () => Promise<T>): Promise<T> {
    return this.#lock.run(contactId, task);
  }

  /** Inside run(): the chat's state; an expired or unreadable one is removed and a fresh one returned. */
  async open(contact: { id: string; customerId: string }): Promise<Opened> {
    const fresh = (status: OpenStatus): Opened => ({
      status,
      record: { contactId: contact.id, customerId: contact.customerId, session: newSession(), updatedAt: 0 },
    });
    const rev = await this.#store.revOf(contact.id);
    if (!rev) {
      this.#cache.delete(contact.id);
      return fresh('new');
    }
    const cached = this.#cache.get(contact.id);
    const loaded =
      cached?.rev === rev ? { kind: 'ok' as const, ...cached } : await this.#store.load(contact.id);
    if (loaded.kind === 'none') return fresh('new');
    if (loaded.kind === 'unreadable') {
      log.warn(`dialogue state unreadable, handing off [contact:${contact.id}]`, { problem: loaded.problem });
      await this.forget(contact.id);
      return fresh('unreadable');
    }
    if (this.#expired(loaded.record.updatedAt)) {
      await this.forget(contact.id);
      return fresh('expired');
    }
    this.#cache.set(contact.id, { record: loaded.record, rev: loaded.rev });
    return { status: 'resumed', record: structuredClone(loaded.record) };
  }

  /** Inside run(): stamps the turn's time; durable before it resolves, so a reply is never ahead of the state. */
  async save(record: DialogueRecord): Promise<void> {
    const id = record.contactId;
    record.updatedAt = this.#now();
    const rev = this.#cache.get(id)?.rev ?? (await this.#store.revOf(id));
    const next = await this.#store.save(record, rev);
    this.#cache.set(id, { record: structuredClone(record), rev: next });
  }

  /** Inside run(): drops the chat's state. */
  async forget(contactId: string): Promise<void> {
    this.#cache.delete(contactId);
    await this.#store.remove(contactId);
  }

  /** Removes every dialogue of a shredded customer (its sealed state is already unreadable). */
  async forgetCustomer(customerId: string): Promise<number> {
    let n = 0;
    for (const m of await this.#store.scan()) {
      if (m.customerId !== customerId) continue;
      await this.run(m.contactId, () => this.forget(m.contactId));
      n++;
    }
    return n;
  }

  /** Removes dialogues idle past the limit (and damaged ones), calling `closed` for each after removal. */
  async sweep(closed: (m: DialogueMeta) => Promise<void> = async () => {}): Promise<number> {
    let n = 0;
    for (const seen of await this.#store.scan()) {
      if (!this.#expired(seen.updatedAt)) continue;
      const gone = await this.run(seen.contactId, async () => {
        // A turn may have landed since the scan.
        const m = await this.#store.meta(seen.contactId);
        if (!m || !this.#expired(m.updatedAt)) return undefined;
        await this.forget(m.contactId);
        return m;
      });
      if (!gone) continue;
      n++;
      await closed(gone).catch((err) =>
        log.warn(`dialogue expiry notice failed [contact:${gone.contactId}]`, { err }),
      );
    }
    return n;
  }

  clear(): void {
    this.#cache.clear();
  }

  #expired(updatedAt: number): boolean {
    return this.#now() - updatedAt > this.#idleMs();
  }
}
