import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { durableLeveldown } from './durable-leveldown.ts';
import { openPouchStore } from './pouch-store.ts';

const root = mkdtempSync(join(tmpdir(), 'branchline-ldown-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Cb = (err?: Error | null, value?: unknown) => void;
interface Db {
  open(cb: Cb): void;
  close(cb: Cb): void;
  put(k: string, v: string, cb: Cb): void;
  del(k: string, cb: Cb): void;
  get(k: string, o: object, cb: Cb): void;
  batch(ops: object[], cb: Cb): void;
  batch(): { put(k: string, v: string): unknown; write(cb: Cb): void };
}

function openDb(path: string) {
  const db = durableLeveldown(path) as unknown as Db;
  return {
    open: promisify(db.open.bind(db)),
    close: promisify(db.close.bind(db)),
    put: promisify(db.put.bind(db)),
    del: promisify(db.del.bind(db)),
    batch: promisify((ops: object[], cb: Cb) => db.batch(ops, cb)),
    chained: (pairs: Array<[string, string]>) =>
      new Promise<void>((resolve, reject) => {
        const b = db.batch();
        for (const [k, v] of pairs) b.put(k, v);
        b.write((err) => (err ? reject(err) : resolve()));
      }),
    get: (k: string) =>
      new Promise<string | undefined>((resolve, reject) =>
        db.get(k, { asBuffer: false }, (err, v) =>
          err ? (/NotFound/.test(err.message) ? resolve(undefined) : reject(err)) : resolve(v as string),
        ),
      ),
  };
}

describe('durableLeveldown', () => {
  it('merged put, del, batch and chained-batch writes from one tick all land in order', async () => {
    const path = join(root, 'a');
    const db = openDb(path);
    await db.open();
    await db.put('gone', 'x');
    await Promise.all([
      db.put('k1', 'v1'),
      db.del('gone'),
      db.batch([
        { type: 'put', key: 'k2', value: 'v2' },
        { type: 'put', key: 'k1', value: 'v1-later' },
      ]),
      db.chained([['k3', 'v3']]),
    ]);
    // close() waits for anything still queued, and the data survives reopening.
    await db.close();
    const again = openDb(path);
    await again.open();
    assert.equal(await again.get('k1'), 'v1-later');
    assert.equal(await again.get('k2'), 'v2');
    assert.equal(await again.get('k3'), 'v3');
    assert.equal(await again.get('gone'), undefined);
    await again.close();
  });

  it('close() issued right after writes waits for them instead of losing them', async () => {
    const path = join(root, 'b');
    const db = openDb(path);
    await db.open();
    const writes = Array.from({ length: 20 }, (_, i) => db.put(`w${i}`, String(i)));
    await Promise.all([...writes, db.close()]);
    const again = openDb(path);
    await again.open();
    assert.equal(await again.get('w19'), '19');
    await again.close();
  });

  it('a second PouchDocStore on an open path is refused with InvalidStateError', async () => {
    const first = await openPouchStore(root, 'twice');
    await assert.rejects(openPouchStore(root, 'twice'), { name: 'InvalidStateError' });
    await first.close();
    const second = await openPouchStore(root, 'twice');
    await second.close();
  });
});
