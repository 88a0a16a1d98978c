import { createHash } from 'node:crypto';
import type { DocStore } from '../../storage/index.ts';

/** What we remember of a thread to reply into it with correct headers. */
export interface ThreadDoc {
  threadKey: string;
  /** Subject of the first message (encrypted at rest). */
  subject: string;
  /** Message-IDs in the thread, oldest first, capped: the References of our next reply. */
  references: string[];
}

const MAX_REFS = 20;
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/** `<a@b>` with brackets, lower-cased domain not assumed: Message-IDs compare exactly. */
export function normaliseId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}

/**
 * Message-ID → thread map. The thread key is the root Message-ID: the first
 * References entry, else In-Reply-To, else the message itself — unless any of
 * them is already known, in which case the known thread wins (replies to our
 * own replies, and clients that trim References, still land in one thread).
 */
export class ThreadIndex {
  #store: DocStore;
  /** Replies waiting for a new thread's record (it is written only after the mail is ingested). */
  #waiting = new Map<string, Set<() => void>>();

  constructor(store: DocStore) {
    this.#store = store;
  }

  async known(messageId: string): Promise<string | undefined> {
    const d = await this.#store.get<{ threadKey: string }>(`mid:${hash(messageId)}`);
    return d?.threadKey;
  }

  async resolve(messageId: string, parents: string[]): Promise<string> {
    for (const p of parents) {
      const k = await this.known(p);
      if (k) return k;
    }
    return parents[0] ?? messageId;
  }

  /** Records a message in its thread (idempotent). */
  async record(messageId: string, threadKey: string, subject: string): Promise<void> {
    await this.#store.create({ _id: `mid:${hash(messageId)}`, threadKey }).catch(() => undefined);
    // Two messages of one thread may arrive at once: retry the read-modify-write on conflict.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#appendToThread(messageId, threadKey, subject);
        break;
      } catch (err) {
        if (attempt >= 3 || (err as { code?: string }).code !== 'STORAGE_CONFLICT') throw err;
      }
    }
    for (const wake of this.#waiting.get(threadKey) ?? []) wake();
    this.#waiting.delete(threadKey);
  }

  /**
   * The thread, waiting up to `ms` for its first record: a reply sent while the
   * customer's mail is still being stored (the out-of-hours reply) then still
   * carries the subject and References.
   */
  async threadWhenRecorded(threadKey: string, ms = 2000): Promise<ThreadDoc | undefined> {
    const now = await this.thread(threadKey);
    if (now) return now;
    await new Promise<void>((resolve) => {
      const set = this.#waiting.get(threadKey) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.#waiting.get(threadKey) === set) this.#waiting.delete(threadKey);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      this.#waiting.set(threadKey, set);
    });
    return this.thread(threadKey);
  }

  async #appendToThread(messageId: string, threadKey: string, subject: string): Promise<void> {
    const id = `thread:${hash(threadKey)}`;
    const doc = await this.#store.get<ThreadDoc>(id);
    const refs = doc ? doc.references : threadKey === messageId ? [] : [threadKey];
    if (!refs.includes(messageId)) refs.push(messageId);
    const next: ThreadDoc & { _id: string; _rev?: string } = {
      _id: id,
      threadKey,
      subject: doc?.subject ?? subject,
      references: refs.length > MAX_REFS ? [refs[0] as string, ...refs.slice(-(MAX_REFS - 1))] : refs,
      ...(doc ? { _rev: doc._rev } : {}),
    };
    await this.#store.put(next);
  }

  async thread(threadKey: string): Promise<ThreadDoc | undefined> {
    return this.#store.get<ThreadDoc>(`thread:${hash(threadKey)}`);
  }
}
