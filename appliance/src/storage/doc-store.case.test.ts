import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { InvalidStateError } from '../contracts/index.ts';
import { CryptoFacade } from './crypto/facade.ts';
import { KeyRing } from './crypto/keyring.ts';
import { CRYPTO_SUITES, type CryptoSuiteName } from './crypto/suite.ts';
import { EncryptedDocStore } from './encrypted-store.ts';
import { StorageError } from './errors.ts';
import { MemoryDocStore } from './memory-store.ts';
import { openPouchStore } from './pouch-store.ts';
import type { DocStore } from './types.ts';

/** Opens a fresh store; `reopen` (durable adapters only) opens the same data again after close. */
export interface Harness {
  open(): Promise<DocStore>;
  reopen?: () => Promise<DocStore>;
}

const code = (c: string) => (err: unknown) => err instanceof StorageError && err.code === c;
const ids = (docs: Array<{ _id: string }>) => docs.map((d) => d._id);

/** The DocStore contract (invariants 1–7 of types.ts), run against every adapter. */
export function docStoreCases(label: string, makeHarness: () => Promise<Harness>): void {
  describe(`DocStore contract: ${label}`, () => {
    let h: Harness;
    let store: DocStore;
    const opened: DocStore[] = [];
    const fresh = async () => {
      h = await makeHarness();
      store = await h.open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('put() then get() round-trips JSON values exactly and sets _id and _rev', async () => {
      await fresh();
      const body = {
        name: '张三 Zhang',
        n: 3.5,
        ok: false,
        none: null,
        list: [1, 'two', { three: 3 }],
        nested: { a: { b: 'c' } },
      };
      const res = await store.put({ _id: 'doc:1', ...body });
      assert.equal(res.id, 'doc:1');
      assert.match(res.rev, /^1-/);
      assert.deepEqual(await store.get('doc:1'), { _id: 'doc:1', _rev: res.rev, ...body });
    });

    it('put() with the current _rev updates and changes the rev', async () => {
      await fresh();
      const r1 = await store.put({ _id: 'a', name: 'one' });
      const r2 = await store.put({ _id: 'a', _rev: r1.rev, name: 'two' });
      assert.notEqual(r2.rev, r1.rev);
      assert.match(r2.rev, /^2-/);
      assert.equal((await store.get<{ name: string }>('a'))?.name, 'two');
    });

    it('put() with a stale, missing or unknown _rev rejects with STORAGE_CONFLICT', async () => {
      await fresh();
      const r1 = await store.put({ _id: 'a', name: 'one' });
      await store.put({ _id: 'a', _rev: r1.rev, name: 'two' });
      await assert.rejects(store.put({ _id: 'a', _rev: r1.rev, name: 'stale' }), code('STORAGE_CONFLICT'));
      await assert.rejects(store.put({ _id: 'a', name: 'no rev' }), code('STORAGE_CONFLICT'));
      await assert.rejects(store.put({ _id: 'b', _rev: '1-abc', name: 'x' }), code('STORAGE_CONFLICT'));
      assert.equal((await store.get<{ name: string }>('a'))?.name, 'two');
    });

    it('concurrent updates from the same _rev let exactly one win', async () => {
      await fresh();
      const r1 = await store.put({ _id: 'a', name: 'one' });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => store.put({ _id: 'a', _rev: r1.rev, name: `w${i}` })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(code('STORAGE_CONFLICT')(r.reason));
    });

    it('many concurrent puts of distinct ids all resolve and are all readable', async () => {
      await fresh();
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.put({ _id: `c:${i}`, name: `n${i}` })));
      const all = await store.list<{ name: string }>({ prefix: 'c:' });
      assert.equal(all.length, 200);
      assert.equal((await store.get<{ name: string }>('c:117'))?.name, 'n117');
    });

    it('create() of an equal document is a harmless retry returning the existing rev', async () => {
      await fresh();
      const first = await store.create({ _id: 'u:1', name: 'Ann', roles: ['agent'] });
      const again = await store.create({ _id: 'u:1', name: 'Ann', roles: ['agent'] });
      assert.deepEqual(again, first);
    });

    it('create() of a different document under an existing id rejects with STORAGE_CONFLICT', async () => {
      await fresh();
      await store.create({ _id: 'u:1', name: 'Ann' });
      await assert.rejects(store.create({ _id: 'u:1', name: 'Bob' }), code('STORAGE_CONFLICT'));
      assert.equal((await store.get<{ name: string }>('u:1'))?.name, 'Ann');
    });

    it('get() of a missing or deleted id resolves undefined', async () => {
      await fresh();
      assert.equal(await store.get('nope'), undefined);
      const r = await store.put({ _id: 'gone', name: 'x' });
      await store.remove('gone', r.rev);
      assert.equal(await store.get('gone'), undefined);
    });

    it('remove() with a stale rev or of a missing id rejects with STORAGE_CONFLICT', async () => {
      await fresh();
      const r1 = await store.put({ _id: 'a', name: 'one' });
      await store.put({ _id: 'a', _rev: r1.rev, name: 'two' });
      await assert.rejects(store.remove('a', r1.rev), code('STORAGE_CONFLICT'));
      await assert.rejects(store.remove('missing', '1-abc'), code('STORAGE_CONFLICT'));
      assert.ok(await store.get('a'));
    });

    it('a removed id can be created again', async () => {
      await fresh();
      const r = await store.put({ _id: 'a', name: 'one' });
      await store.remove('a', r.rev);
      await store.create({ _id: 'a', name: 'again' });
      assert.equal((await store.get<{ name: string }>('a'))?.name, 'again');
    });

    it('invalid ids and reserved field names reject with STORAGE_INVALID_DOC', async () => {
      await fresh();
      await assert.rejects(store.put({ _id: '', name: 'x' }), code('STORAGE_INVALID_DOC'));
      await assert.rejects(store.put({ _id: '_design/x', name: 'x' }), code('STORAGE_INVALID_DOC'));
      await assert.rejects(store.put({ _id: 'ok', _secret: 1 }), code('STORAGE_INVALID_DOC'));
    });

    it('list() returns live documents in byte order with prefix, after, limit and descending', async () => {
      await fresh();
      for (const id of ['b:2', 'a:1', 'b:10', 'b:1', 'c:1', 'b:Z', 'b:é'])
        await store.put({ _id: id, name: id });
      const dead = await store.put({ _id: 'b:3', name: 'dead' });
      await store.remove('b:3', dead.rev);
      assert.deepEqual(ids(await store.list({ prefix: 'b:' })), ['b:1', 'b:10', 'b:2', 'b:Z', 'b:é']);
      assert.deepEqual(ids(await store.list()), ['a:1', 'b:1', 'b:10', 'b:2', 'b:Z', 'b:é', 'c:1']);
      assert.deepEqual(ids(await store.list({ prefix: 'b:', after: 'b:10', limit: 2 })), ['b:2', 'b:Z']);
      assert.deepEqual(ids(await store.list({ prefix: 'b:', descending: true, limit: 2 })), ['b:é', 'b:Z']);
      assert.deepEqual(ids(await store.list({ prefix: 'b:', descending: true, after: 'b:2' })), [
        'b:10',
        'b:1',
      ]);
      const [first] = await store.list<{ name: string }>({ prefix: 'a:' });
      assert.equal(first?.name, 'a:1');
      assert.match(first?._rev ?? '', /^1-/);
    });

    it('bulkPut() reports a result or an error code per entry without failing the others', async () => {
      await fresh();
      const r = await store.put({ _id: 'x', name: 'old' });
      const out = await store.bulkPut([
        { _id: 'y', name: 'new' },
        { _id: 'x', name: 'no rev' },
        { _id: '_bad', name: 'bad' },
        { _id: 'x', _rev: r.rev, name: 'updated' },
      ]);
      assert.equal(out.length, 4);
      assert.ok(out[0] && 'rev' in out[0]);
      assert.deepEqual(out[1], { id: 'x', error: 'STORAGE_CONFLICT' });
      assert.deepEqual(out[2], { id: '_bad', error: 'STORAGE_INVALID_DOC' });
      assert.ok(out[3] && 'rev' in out[3]);
      assert.equal((await store.get<{ name: string }>('x'))?.name, 'updated');
      assert.equal((await store.get<{ name: string }>('y'))?.name, 'new');
    });

    it('changes() lists each changed id once since a sequence, with deletions flagged', async () => {
      await fresh();
      await store.put({ _id: 'a', name: '1' });
      const rb = await store.put({ _id: 'b', name: '1' });
      const first = await store.changes();
      assert.deepEqual(
        first.results.map((r) => r.id),
        ['a', 'b'],
      );
      await store.remove('b', rb.rev);
      await store.put({ _id: 'c', name: '1' });
      const next = await store.changes({ since: first.lastSeq });
      assert.deepEqual(
        next.results.map((r) => [r.id, r.deleted]),
        [
          ['b', true],
          ['c', false],
        ],
      );
      const limited = await store.changes({ limit: 1 });
      assert.equal(limited.results.length, 1);
    });

    it('close() is idempotent and every later call rejects with InvalidStateError', async () => {
      const s = await fresh();
      await s.put({ _id: 'a', name: 'x' });
      await s.close();
      await s.close();
      const isState = (err: unknown) => err instanceof InvalidStateError;
      await assert.rejects(s.get('a'), isState);
      await assert.rejects(s.put({ _id: 'b', name: 'y' }), isState);
      await assert.rejects(s.create({ _id: 'b', name: 'y' }), isState);
      await assert.rejects(s.bulkPut([{ _id: 'b' }]), isState);
      await assert.rejects(s.remove('a', '1-x'), isState);
      await assert.rejects(s.list(), isState);
      await assert.rejects(s.changes(), isState);
    });

    it('acknowledged writes are there after close and reopen (durable adapters)', async (t) => {
      await fresh();
      if (!h.reopen) {
        assert.ok(store instanceof MemoryDocStore || store.name.startsWith('mem'), 'only memory may skip');
        t.diagnostic('in-memory adapter: no restart to survive');
        return;
      }
      const r = await store.put({ _id: 'keep', name: 'durable' });
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.put({ _id: `k:${i}`, name: `v${i}` })));
      await store.close();
      const again = await h.reopen();
      opened.push(again);
      assert.deepEqual(await again.get('keep'), { _id: 'keep', _rev: r.rev, name: 'durable' });
      assert.equal((await again.list({ prefix: 'k:' })).length, 50);
    });
  });
}

// ---- the adapters ---------------------------------------------------------

const root = mkdtempSync(join(tmpdir(), 'branchline-store-'));
let n = 0;
const keys = new Map<CryptoSuiteName, KeyRing>();
before(async () => {
  for (const suite of CRYPTO_SUITES)
    keys.set(suite, await KeyRing.open(join(root, `keys-${suite}`), { suite }));
});
after(() => {
  for (const k of keys.values()) k.close();
  rmSync(root, { recursive: true, force: true });
});

const pouch = async (): Promise<Harness> => {
  const dir = join(root, `p${++n}`);
  return { open: () => openPouchStore(dir, 'test'), reopen: () => openPouchStore(dir, 'test') };
};
const encrypted = (inner: () => Promise<Harness>, suite: CryptoSuiteName) => async (): Promise<Harness> => {
  const h = await inner();
  const ring = keys.get(suite);
  if (!ring) throw new Error(`No key ring for ${suite}`);
  const wrap = (s: DocStore) =>
    new EncryptedDocStore(s, { crypto: new CryptoFacade(ring), fields: ['name'] });
  const reopen = h.reopen;
  return {
    open: async () => wrap(await h.open()),
    ...(reopen ? { reopen: async () => wrap(await reopen()) } : {}),
  };
};

docStoreCases('MemoryDocStore', async () => ({ open: async () => new MemoryDocStore('mem') }));
docStoreCases('PouchDocStore (LevelDB)', pouch);
for (const suite of CRYPTO_SUITES) {
  docStoreCases(
    `EncryptedDocStore (${suite} suite) over MemoryDocStore`,
    encrypted(async () => ({ open: async () => new MemoryDocStore('mem') }), suite),
  );
  docStoreCases(`EncryptedDocStore (${suite} suite) over PouchDocStore`, encrypted(pouch, suite));
}
