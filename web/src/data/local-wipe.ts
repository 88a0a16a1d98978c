/**
 * Deletes the console's local working set (every RxDB database of this origin,
 * in localStorage and, from consoles that used RxDB's Dexie storage, IndexedDB)
 * so no customer names or message previews stay on a shared branch PC once
 * nobody is signed in. Plain web storage APIs, so the sign-in page can run it
 * without loading RxDB.
 */

/** RxDB's localStorage keys (`RxDB-ls-doc-<db>--<collection>--<v>-<id>`, …). */
export const RXDB_LOCALSTORAGE_PREFIX = 'RxDB-ls-';
/** RxDB's Dexie databases (`rxdb-dexie-<db>--<v>--<collection>`). */
export const RXDB_INDEXEDDB_PREFIX = 'rxdb-';

function wipeLocalStorage(): void {
  if (typeof localStorage === 'undefined') return;
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(RXDB_LOCALSTORAGE_PREFIX)) keys.push(key);
  }
  for (const key of keys) localStorage.removeItem(key);
}

async function wipeIndexedDb(): Promise<void> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return;
  const dbs = await indexedDB.databases();
  const names = dbs.flatMap((d) => (d.name?.startsWith(RXDB_INDEXEDDB_PREFIX) ? [d.name] : []));
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve) => {
          const req = indexedDB.deleteDatabase(name);
          req.onsuccess = () => resolve();
          req.onerror = () => resolve();
          // a connection open elsewhere: the browser deletes it once that closes
          req.onblocked = () => resolve();
        }),
    ),
  );
}

/**
 * Deletes every RxDB database of this origin.
 * @example
 * await wipeLocalData(); // after sign-out, expiry or freeze
 */
export async function wipeLocalData(): Promise<void> {
  wipeLocalStorage();
  await wipeIndexedDb();
}
