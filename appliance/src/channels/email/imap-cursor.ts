import { createHash } from 'node:crypto';
import type { DocStore } from '../../storage/index.ts';

/** How far a mailbox has been imported: UIDs are only meaningful under one UIDVALIDITY. */
export interface ImapCursorDoc {
  uidValidity: string;
  lastUid: number;
}

/** One mail the poller gave up on; it stays in the mailbox for a person to look at. */
export interface ImapSkipDoc {
  uidValidity: string;
  uid: number;
  reason: string;
  at: string;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * The durable import position of one mailbox (server + user + folder), and the
 * record of skipped UIDs. Advancing after each stored mail means a crash
 * re-fetches at most one mail, and that one is a Message-ID duplicate.
 */
export class ImapCursor {
  #store: DocStore;
  #key: string;

  constructor(store: DocStore, mailbox: { host: string; port: number; user: string; mailbox: string }) {
    this.#store = store;
    this.#key = hash(`${mailbox.user}\u0000${mailbox.host}:${mailbox.port}\u0000${mailbox.mailbox}`);
  }

  async read(): Promise<ImapCursorDoc | undefined> {
    const d = await this.#store.get<ImapCursorDoc>(`imap:cursor:${this.#key}`);
    return d ? { uidValidity: d.uidValidity, lastUid: d.lastUid } : undefined;
  }

  async write(next: ImapCursorDoc): Promise<void> {
    const id = `imap:cursor:${this.#key}`;
    const cur = await this.#store.get<ImapCursorDoc>(id);
    await this.#store.put({ _id: id, ...next, ...(cur ? { _rev: cur._rev } : {}) });
  }

  async skip(uidValidity: string, uid: number, reason: string): Promise<void> {
    const doc = { _id: `imap:skip:${this.#key}:${uidValidity}:${String(uid).padStart(10, '0')}` };
    await this.#store
      .create<ImapSkipDoc & { _id: string }>({
        ...doc,
        uidValidity,
        uid,
        reason,
        at: new Date().toISOString(),
      })
      .catch((err: { code?: string }) => {
        // Already recorded by an earlier attempt.
        if (err.code !== 'STORAGE_CONFLICT') throw err;
      });
  }

  async skipped(): Promise<ImapSkipDoc[]> {
    const docs = await this.#store.list<ImapSkipDoc>({ prefix: `imap:skip:${this.#key}:` });
    return docs.map((d) => ({ uidValidity: d.uidValidity, uid: d.uid, reason: d.reason, at: d.at }));
  }
}
