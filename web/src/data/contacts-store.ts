/**
 * Signals over the RxDB contacts replica (data/contacts-db.ts) for the inbox.
 * RxDB and Dexie are loaded with a dynamic import on first use, so the login
 * page and panels without a contact list do not download them.
 *
 * The list renders from the local copy (localStorage) at once on reload, then catches up; console
 * socket events (contact.*, new messages) and reconnects call `reSync()`.
 * Local data is per user and is deleted whenever the session ends — sign-out,
 * expiry (any 401), freeze or logout elsewhere (the socket's session.ended) —
 * so no customer data stays on a shared branch PC (app-state's onSignedOut).
 */
import { effect, signal } from '@preact/signals';
import { api, me, offline, onEvent, onSignedOut } from '../app-state.ts';
import type { ContactDoc, ContactsPage, ContactsReplica } from './contacts-db.ts';

export type { ContactDoc } from './contacts-db.ts';

/** 'loading' before the local copy is read; 'syncing' while a pull runs; 'offline' when it cannot reach the appliance. */
export type SyncStatus = 'loading' | 'syncing' | 'live' | 'offline';

/** The signed-in agent's working contacts (offered, active, wrap-up), newest first. */
export const workingContacts = signal<ContactDoc[]>([]);
export const contactsSync = signal<SyncStatus>('loading');

const WORKING = ['offered', 'active', 'wrap_up'];
const LIST_ON = /^contact\.|^conversation\.message_(received|sent)$/;

let watchingSignOut = false;
let current: { userId: string; replica: Promise<ContactsReplica | undefined>; stop: () => void } | undefined;

/** Rendering from local data only reports 'offline' when a pull failed or the socket is down. */
function status(active: boolean, failed: boolean): SyncStatus {
  if (failed || offline.value) return 'offline';
  return active ? 'syncing' : 'live';
}

async function open(userId: string, subs: Array<() => void>): Promise<ContactsReplica | undefined> {
  // RxDB's localStorage storage, not Dexie: the Dexie storage prints RxDB's premium
  // advertisement on every page load (only a paid flag silences it), and the working
  // set (one agent's offered, active and wrap-up contacts) is small.
  const [{ ContactsReplica }, { getRxStorageLocalstorage }] = await Promise.all([
    import('./contacts-db.ts'),
    import('rxdb/plugins/storage-localstorage'),
  ]);
  let failed = false;
  const replica = await ContactsReplica.open({
    storage: getRxStorageLocalstorage(),
    name: `bl-contacts-${userId.toLowerCase().replace(/[^a-z0-9]/g, '-')}`,
    multiInstance: true,
    fetch: async (path) => {
      try {
        const page = await api.get<ContactsPage>(path);
        failed = false;
        return page;
      } catch (e) {
        failed = true;
        contactsSync.value = 'offline';
        throw e;
      }
    },
  });
  const query = replica.collection.find({
    selector: { agentId: userId, state: { $in: WORKING } },
    sort: [{ updatedAt: 'desc' }],
  });
  const rows = query.$.subscribe((docs) => {
    workingContacts.value = docs.map((d) => d.toJSON() as ContactDoc);
  });
  const active = replica.replication.active$.subscribe((a) => {
    contactsSync.value = status(a, failed);
  });
  subs.push(
    () => rows.unsubscribe(),
    () => active.unsubscribe(),
    onEvent(LIST_ON, () => replica.reSync()),
    // back from a socket outage: whatever was missed is behind the checkpoint
    effect(() => {
      if (!offline.value) replica.reSync();
    }),
  );
  return replica;
}

function start(userId: string): void {
  const subs: Array<() => void> = [];
  const replica = open(userId, subs).catch(() => {
    // no IndexedDB (private window, quota): the list stays empty and says so
    contactsSync.value = 'offline';
    return undefined;
  });
  current = {
    userId,
    replica,
    stop: () => {
      for (const f of subs.splice(0)) f();
    },
  };
}

/** Stops the replica and deletes its local data. */
async function stop(): Promise<void> {
  const c = current;
  current = undefined;
  if (!c) return;
  c.stop();
  workingContacts.value = [];
  contactsSync.value = 'loading';
  const replica = await c.replica;
  await replica?.forget();
}

/**
 * Starts the replica for the signed-in user (idempotent); it lives until sign-out,
 * so switching panels does not reopen IndexedDB.
 * @example
 * useEffect(() => ensureContactsReplica(), []);
 */
export function ensureContactsReplica(): void {
  // installed on first use, not at import: app-state imports the panels that import this module
  if (!watchingSignOut) {
    watchingSignOut = true;
    onSignedOut(stop);
  }
  const userId = me.value?.user.id;
  if (!userId || current?.userId === userId) return;
  void stop();
  start(userId);
}

/** Asks the appliance for changes now (after this console changed a contact). */
export function reSyncContacts(): void {
  void current?.replica.then((r) => r?.reSync());
}
