import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readAuditPublicKey } from '../appliance/src/audit/index.ts';
import { AuditWitness, type HqCouch, startHqCouch, type WitnessReport } from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { waitFor } from './support/sync-fixture.ts';

let hqDir: string;
let hq: HqCouch;
let app: RunningAppliance;
let dataDir: string;
let cleanup: () => Promise<void>;

before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-witness-'));
  hq = await startHqCouch({ dataDir: hqDir });
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  dataDir = tmp.dir;
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_HQ_URL: hq.url, BRANCHLINE_BRANCH_ID: 'W1', BRANCHLINE_HTTPS: 'off' },
  });
});
after(async () => {
  await app?.stop();
  await hq?.close();
  await cleanup?.();
  await rm(hqDir, { recursive: true, force: true });
});

test("HQ's witness verifies a live branch's replicated audit log with its signed checkpoints and alerts on a tampered checkpoint", async () => {
  const { admin } = await bootstrapAdmin(app);
  // More than checkpointEvery (100) audited actions, so the log signs a checkpoint.
  for (let i = 0; i < 110; i++) {
    const res = await admin.request('POST', '/api/customers', { name: `Witness customer ${i}` });
    assert.equal(res.status, 201);
  }
  const key = await readAuditPublicKey(dataDir);
  assert.ok(key, 'the branch has an audit signing key');
  const db = hq.db('b-W1-audit');
  const witness = new AuditWitness();
  let report: WitnessReport | undefined;
  const verified = await waitFor(
    async () => {
      report = await witness.verify('W1', db, key);
      return report.ok && report.checkpoints >= 1 && report.records >= 110;
    },
    30_000,
    500,
  );
  assert.ok(verified, `witness verified the branch: ${JSON.stringify(report)}`);
  assert.ok((await db.get('meta:head')) !== undefined, 'the signed head reached HQ');

  const ckpt = await db.get(`ckpt:${String(report?.lastCheckpointSeq).padStart(12, '0')}`);
  await db.put({ ...ckpt, root: Buffer.alloc(32, 1).toString('base64') });
  const tampered = await witness.verify('W1', db, key);
  assert.equal(tampered.ok, false);
  assert.ok(
    tampered.problems.some((p) => /checkpoint|signature|root|fork/i.test(p)),
    `problems name the checkpoint: ${tampered.problems.join('; ')}`,
  );
});
