import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PouchDB } from './pouch.ts';
import { reconcile } from './reconcile.ts';

test('reconcile() lists docs missing at HQ, extra at HQ and at different revisions, by id and rev', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-reconcile-'));
  const local = new PouchDB(path.join(dir, 'local'));
  const remote = new PouchDB(path.join(dir, 'remote'));
  const same = new PouchDB(path.join(dir, 'same'));
  const sameRemote = new PouchDB(path.join(dir, 'same-remote'));
  try {
    const shared = await local.put({ _id: 'shared', v: 1 });
    await remote.bulkDocs([{ _id: 'shared', _rev: shared.rev, v: 1 }], { new_edits: false });
    const a = await local.put({ _id: 'only-local', v: 1 });
    const b1 = await local.put({ _id: 'diverged', v: 1 });
    await remote.bulkDocs([{ _id: 'diverged', _rev: b1.rev, v: 1 }], { new_edits: false });
    const b2 = await local.put({ _id: 'diverged', _rev: b1.rev, v: 2 });
    const x = await remote.put({ _id: 'only-hq', v: 1 });
    await same.put({ _id: 'k', v: 1 });
    await PouchDB.replicate(same, sameRemote);

    const report = await reconcile(
      { tickets: { local, remote }, crm: { local: same, remote: sameRemote } },
      { now: new Date('2025-03-01T03:15:00Z') },
    );
    assert.equal(report._id, 'reconcile:2025-03-01T03:15:00.000Z');
    assert.equal(report.ok, false);
    assert.equal(report.differences, 3);
    assert.deepEqual(report.dbs['tickets']?.missingAtHq, [{ id: 'only-local', rev: a.rev }]);
    assert.deepEqual(report.dbs['tickets']?.extraAtHq, [{ id: 'only-hq', rev: x.rev }]);
    assert.deepEqual(report.dbs['tickets']?.revMismatch, [{ id: 'diverged', local: b2.rev, remote: b1.rev }]);
    assert.deepEqual(report.dbs['crm'], {
      local: 1,
      remote: 1,
      missingAtHq: [],
      extraAtHq: [],
      revMismatch: [],
    });
  } finally {
    for (const db of [local, remote, same, sameRemote]) await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
