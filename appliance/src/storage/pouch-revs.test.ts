import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openPouchStore } from './pouch-store.ts';

const root = mkdtempSync(join(tmpdir(), 'branchline-revs-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Updates one doc `times` times; returns how many revision ids PouchDB keeps for it. */
async function historyAfter(name: string, options: { revsLimit?: number }, times: number) {
  const store = await openPouchStore(root, name, options);
  try {
    let rev: string | undefined;
    for (let n = 1; n <= times; n++)
      rev = (await store.put({ _id: 'counter', n, ...(rev ? { _rev: rev } : {}) })).rev;
    const raw = store.raw as unknown as { get(id: string, options: object): Promise<unknown> };
    const doc = (await raw.get('counter', { revs: true })) as { n: number; _revisions: { ids: string[] } };
    assert.equal(doc.n, times);
    // A stale revision is still refused: the short history does not weaken conflict detection.
    await assert.rejects(store.put({ _id: 'counter', n: 0, _rev: '1-x' }), { code: 'STORAGE_CONFLICT' });
    return doc._revisions.ids.length;
  } finally {
    await store.close();
  }
}

test('revsLimit keeps a short revision history for a doc updated on every write; the default keeps them all', async () => {
  assert.equal(await historyAfter('local', { revsLimit: 10 }, 60), 10);
  assert.equal(await historyAfter('replicated', {}, 60), 60);
});
