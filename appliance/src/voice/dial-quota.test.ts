import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openPouchStore } from '../storage/index.ts';
import { DialQuota } from './dial-quota.ts';

test('DialQuota keeps the day’s count across a reopen of the LevelDB store and starts again the next UTC day', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-dial-quota-'));
  let now = Date.parse('2026-11-24T09:00:00Z');
  try {
    const first = await openPouchStore(dir, 'sip');
    const quota = new DialQuota(first, { now: () => now });
    assert.equal(await quota.take('u1', 2), true);
    assert.equal(await quota.take('u1', 2), true);
    assert.equal(await quota.take('u1', 2), false, 'the third call of the day is refused');
    assert.equal(await quota.take('u2', 2), true, 'another agent has their own count');
    await first.close();

    const reopened = await openPouchStore(dir, 'sip');
    const after = new DialQuota(reopened, { now: () => now });
    assert.equal(await after.used('u1'), 2);
    assert.equal(await after.take('u1', 2), false, 'a restart does not hand out a fresh allowance');
    now = Date.parse('2026-11-25T00:00:01Z');
    assert.equal(await after.used('u1'), 0);
    assert.equal(await after.take('u1', 2), true);
    assert.equal((await reopened.list({ prefix: 'dialquota:' })).length, 2, 'one document per agent');
    await reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('DialQuota.take() serialises concurrent calls for one agent so the limit is never overshot', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-dial-quota-'));
  try {
    const store = await openPouchStore(dir, 'sip');
    const quota = new DialQuota(store);
    const results = await Promise.all(Array.from({ length: 10 }, () => quota.take('u1', 3)));
    assert.equal(results.filter(Boolean).length, 3);
    assert.equal(await quota.used('u1'), 3);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
