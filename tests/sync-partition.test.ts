import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPartition } from './support/sync-partition.ts';

// CI size; the full 5,000 / 20,000 with 10 cuts and 2 restarts: `npm run bench -- sync-partition`.
const full = process.env['BRANCHLINE_SYNC_FULL'] === '1';
const size = full
  ? { tickets: 5_000, audit: 20_000, cuts: 10, restarts: 2 }
  : { tickets: 500, audit: 2_000, cuts: 5, restarts: 1 };

test('after cuts, resets and an HQ restart HQ holds exactly the branch set and the audit witness verifies', async () => {
  const r = await runPartition(size);
  assert.equal(r.missing, 0, 'no document missing at HQ');
  assert.equal(r.extra, 0, 'no document at HQ the branch does not have');
  assert.equal(r.revMismatch, 0, 'HQ holds the same winning revision');
  assert.equal(r.tickets, size.tickets);
  assert.equal(r.audit, size.audit);
  assert.ok(r.healSeconds < 120, `healed in ${r.healSeconds} s`);
  assert.deepEqual(r.witnessProblems, []);
  assert.equal(r.witnessOk, true);
});
