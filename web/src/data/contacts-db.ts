/**
 * The agent's working set of contacts held in RxDB and pulled from the
 * appliance with RxDB's HTTP replication protocol (GET /api/replication/contacts).
 *
 * Pull only, by design: the console changes contacts through the normal
 * contact APIs (accept, reply, wrap up), which validate the lifecycle, take
 * the server's locks and publish events. A push handler would be a second
 * write path that bypasses all of that; the server's change then flows back
 * here through the next pull. Live updates are the console socket's events,
 * which call `reSync()`; there is no polling stream.
 *
 * This module does not pick a storage: the browser passes RxDB's localStorage
 * storage (contacts-store.ts), Node tests the memory storage, so neither bundle
 * carries the other.
 */
import { createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from 'rxdb';
import { type RxReplicationState, replicateRxCollection } from 'rxdb/plugins/replication';

/** One contact as the console keeps it; the appliance decides the masking of `customerName`. */
export interface ContactDoc {
  id: string;
  channel: string;
  state: string;
  agentId?: string;
  customerName?: string;
  preview?: string;
  updatedAt: string;
}

export interface ContactCheckpoint {
  updatedAt: string;
  id: string;
}

/** What GET /api/replication/contacts answers. */
export interface ContactsPage {
  documents: Array<ContactDoc & { _deleted: boolean }>;
  checkpoint: ContactCheckpoint | null;
}

/** Reads one pull page; the console passes its ApiClient, tests a cookie-carrying client. */
export type PullFetch = (path: string) => Promise<ContactsPage>;

export interface ContactsReplicaOptions {
  storage: RxStorage<unknown, unknown>;
  /** Database name; one per signed-in user so one agent never sees another's rows. */
  name: string;
  fetch: PullFetch;
  scope?: 'mine' | 'all';
  batchSize?: number;
  /** Cross-tab events (browser true, Node tests false). */
  multiInstance?: boolean;
  /** Called on each pull error (network down, 401); the replication retries by itself. */
  onError?: (error: unknown) => void;
}

const SCHEMA = {
  title: 'contacts',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    channel: { type: 'string' },
    state: { type: 'string' },
    agentId: { type: 'string' },
    customerName: { type: 'string' },
    preview: { type: 'string' },
    updatedAt: { type: 'string', maxLength: 40 },
  },
  required: ['id', 'channel', 'state', 'updatedAt'],
  indexes: ['updatedAt'],
} as const;

export type ContactsCollection = RxCollection<ContactDoc>;

/** A path for one pull page (exported for tests of the wire format). */
export function pullPath(checkpoint: ContactCheckpoint | undefined, limit: number, scope: string): string {
  const q = new URLSearchParams({ limit: String(limit), scope });
  if (checkpoint) q.set('checkpoint', `${checkpoint.updatedAt},${checkpoint.id}`);
  return `/api/replication/contacts?${q}`;
}

/**
 * An open replica: the collection, its pull replication and close().
 * @example
 * const r = await ContactsReplica.open({ storage: getRxStorageLocalstorage(), name: `bl-${userId}`, fetch });
 * r.collection.find({ selector: { state: { $in: ['offered', 'active'] } } }).$.subscribe(render);
 * r.reSync(); // on a contact.* socket event
 * await r.close();
 */
export class ContactsReplica {
  readonly collection: ContactsCollection;
  readonly replication: RxReplicationState<ContactDoc, ContactCheckpoint>;
  #db: RxDatabase;
  #closed = false;

  private constructor(db: RxDatabase, collection: ContactsCollection, options: ContactsReplicaOptions) {
    this.#db = db;
    this.collection = collection;
    const scope = options.scope ?? 'mine';
    this.replication = replicateRxCollection<ContactDoc, ContactCheckpoint>({
      collection,
      replicationIdentifier: `branchline-contacts-${scope}`,
      live: true,
      retryTime: 5_000,
      autoStart: true,
      pull: {
        batchSize: options.batchSize ?? 50,
        handler: async (checkpoint, batchSize) => {
          const page = await options.fetch(pullPath(checkpoint, batchSize, scope));
          return { documents: page.documents, checkpoint: page.checkpoint ?? checkpoint };
        },
      },
    });
    if (options.onError) {
      const onError = options.onError;
      this.replication.error$.subscribe((e) => onError(e));
    }
  }

  static async open(options: ContactsReplicaOptions): Promise<ContactsReplica> {
    if (!options.name) throw new TypeError('ContactsReplica needs a database name');
    const db = await createRxDatabase({
      name: options.name,
      storage: options.storage,
      multiInstance: options.multiInstance ?? false,
      closeDuplicates: true,
    });
    const added = await db.addCollections({ contacts: { schema: SCHEMA } });
    return new ContactsReplica(db, added['contacts'] as ContactsCollection, options);
  }

  /** Asks the appliance for what changed since the last checkpoint. */
  reSync(): void {
    if (!this.#closed) this.replication.reSync();
  }

  /** Resolves once every change known to the appliance right now is local. */
  async awaitInSync(): Promise<void> {
    await this.replication.awaitInSync();
  }

  /** Stops replicating and closes the database; the local data stays (the console uses forget()). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.replication.cancel();
    await this.#db.close();
  }

  /** Closes and deletes the local data (explicit sign-out on a shared branch PC). */
  async forget(): Promise<void> {
    if (!this.#closed) await this.replication.cancel();
    this.#closed = true;
    await this.#db.remove();
  }
}
