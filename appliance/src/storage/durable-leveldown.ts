import { createRequire } from 'node:module';

type Callback = (err?: Error | null) => void;
type Op = { type: 'put'; key: unknown; value: unknown } | { type: 'del'; key: unknown };

/** The slice of leveldown 6 (abstract-leveldown 7) this wrapper touches. */
interface LevelDown {
  _batch(ops: Op[], options: object, cb: Callback): void;
  _put(key: unknown, value: unknown, options: object, cb: Callback): void;
  _del(key: unknown, options: object, cb: Callback): void;
  _chainedBatch(): unknown;
  _close(cb: Callback): void;
}
type LevelDownFactory = ((location: string) => LevelDown) & {
  destroy: (location: string, cb: Callback) => void;
};

const require = createRequire(import.meta.url);
// leveldown is pouchdb's own dependency; resolve it (and its abstract-leveldown)
// from there so we wrap exactly the binding pouchdb would have used.
const pouchRequire = createRequire(require.resolve('pouchdb'));
const leveldown = pouchRequire('leveldown') as LevelDownFactory;
const levelRequire = createRequire(pouchRequire.resolve('leveldown'));
const { AbstractChainedBatch } = levelRequire('abstract-leveldown') as {
  AbstractChainedBatch: new (db: LevelDown) => unknown;
};

interface Waiting {
  ops: Op[];
  cb: Callback;
}

/**
 * Makes every write of one LevelDB instance durable with group commit: writes
 * arriving in the same tick, or while a synced batch is in flight, are merged
 * into ONE native batch written with `{ sync: true }` (one fdatasync), and
 * their callbacks fire only after it. LevelDB applies a batch's operations in
 * order, so merging keeps the order the callers issued them in.
 */
function makeDurable(db: LevelDown): LevelDown {
  const nativeBatch = db._batch.bind(db);
  let queue: Waiting[] = [];
  let busy = false;
  let onIdle: (() => void) | undefined;

  const flush = (): void => {
    if (busy || queue.length === 0) return;
    busy = true;
    const group = queue;
    queue = [];
    const ops = group.length === 1 ? group[0]!.ops : group.flatMap((w) => w.ops);
    nativeBatch(ops, { sync: true }, (err) => {
      busy = false;
      for (const w of group) w.cb(err ?? null);
      flush();
      if (!busy && onIdle) onIdle();
    });
  };
  const enqueue = (ops: Op[], cb: Callback): void => {
    queue.push({ ops, cb });
    if (!busy && queue.length === 1) process.nextTick(flush);
  };

  db._batch = (ops, _options, cb) => enqueue(ops, cb);
  db._put = (key, value, _options, cb) => enqueue([{ type: 'put', key, value }], cb);
  db._del = (key, _options, cb) => enqueue([{ type: 'del', key }], cb);
  // leveldown's native chained batch would bypass `_batch`; the abstract one routes through it.
  db._chainedBatch = () => new AbstractChainedBatch(db);
  const nativeClose = db._close.bind(db);
  // Never close the native handle under a queued or in-flight batch.
  db._close = (cb) => {
    if (!busy && queue.length === 0) return nativeClose(cb);
    onIdle = () => {
      onIdle = undefined;
      nativeClose(cb);
    };
  };
  return db;
}

/**
 * LevelDOWN factory for PouchDB's `db` option. The distinct function name
 * matters: pouchdb caches open stores by `functionName(leveldown)`, so a
 * generic name would share handles with plain (non-syncing) instances.
 * @example
 * new PouchDB('/var/lib/branchline/identity', { db: durableLeveldown });
 */
export function durableLeveldown(location: string): LevelDown {
  return makeDurable(leveldown(location));
}
durableLeveldown.destroy = (location: string, cb: Callback): void => leveldown.destroy(location, cb);

/** Plain leveldown (no sync), for benchmarks that compare against stock PouchDB. */
export const plainLeveldown = leveldown;
