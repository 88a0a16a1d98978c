import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { assertPolicy, defaultPolicy } from '../policy.ts';
import { ArchiveStore } from './archive.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('ArchiveStore appends at the stored end, acknowledges a re-sent chunk without writing it, and refuses gaps and different bytes', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-archive-'));
  try {
    const store = new ArchiveStore(dir);
    const a = Buffer.alloc(100, 1);
    const b = Buffer.alloc(50, 2);
    assert.deepEqual(await store.write('B1', 'c1', 'customer.blrec', 0, a), { ok: true, size: 100 });
    assert.deepEqual(await store.write('B1', 'c1', 'customer.blrec', 0, a), { ok: true, size: 100 });
    // Overlapping the stored end: the stored part must match, the rest is appended.
    const ab = Buffer.concat([a.subarray(60), b]);
    assert.deepEqual(await store.write('B1', 'c1', 'customer.blrec', 60, ab), { ok: true, size: 150 });
    assert.equal((await store.write('B1', 'c1', 'customer.blrec', 151, b)).ok, false);
    assert.equal((await store.write('B1', 'c1', 'customer.blrec', 0, Buffer.alloc(10, 9))).ok, false);
    assert.deepEqual(await store.file('B1', 'c1', 'customer.blrec'), {
      size: 150,
      sha256: sha(Buffer.concat([a, b])),
    });
    assert.deepEqual(store.counts('B1'), { appended: 2, repeated: 1 });
    assert.deepEqual(await store.list('B1'), [
      { callId: 'c1', files: [{ name: 'customer.blrec', size: 150 }] },
    ]);
    assert.equal(await store.file('B1', 'c2', 'customer.blrec'), undefined);
    await assert.rejects(store.write('B1', '..', 'customer.blrec', 0, a), RangeError);
    await assert.rejects(store.write('B1', 'c1', '../x.blrec', 0, a), RangeError);
    await assert.rejects(store.file('B/2', 'c1', 'customer.blrec'), RangeError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('assertPolicy accepts archive-before-purge for recordings only and refuses unknown archive rules', () => {
  const p = defaultPolicy();
  p.classes.recordings = { fields: {}, archive: 'archive-before-purge' };
  assertPolicy(p);
  const tickets = defaultPolicy();
  tickets.classes.tickets = { fields: {}, archive: 'archive-before-purge' };
  assert.throws(() => assertPolicy(tickets), /not offered for tickets/);
  const unknown = defaultPolicy();
  unknown.classes.recordings = { fields: {}, archive: 'always' as 'off' };
  assert.throws(() => assertPolicy(unknown), /Unknown archive rule for recordings: always/);
});
