import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  defaultPolicy,
  generatePolicyKey,
  type HqCouch,
  Replicator,
  type ResidencyPolicy,
  signPolicy,
  startHqCouch,
  verifyPolicy,
} from '../sync/src/index.ts';
import { makeBranch, waitFor } from './support/sync-fixture.ts';

let hqDir: string;
let hq: HqCouch;
before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-'));
  hq = await startHqCouch({ dataDir: hqDir });
});
after(async () => {
  await hq.close();
  await rm(hqDir, { recursive: true, force: true });
});

const CANARY = /CANARY-[0-9]+/g;

/** Runs a workload with canary personal data through a branch under `policy`; returns canaries found at HQ. */
async function canariesAtHq(
  branchId: string,
  policy: ResidencyPolicy,
): Promise<{ hq: number; outbound: number }> {
  const branch = await makeBranch(branchId, policy);
  const reps: Replicator[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      await branch.projector.projectRecord('tickets', {
        id: `t${i}`,
        status: 'open',
        priority: 'high',
        customerName: `CANARY-${i}01 Zhang San`,
        customerPhone: `+86 138 CANARY-${i}02`,
        subject: `Card lost CANARY-${i}03`,
        description: `Customer says CANARY-${i}04 at branch`,
        internalNote: `never leaves CANARY-${i}05`,
      });
      await branch.projector.projectRecord('crm', {
        id: `c${i}`,
        segment: 'retail',
        name: `CANARY-${i}06`,
        email: `canary-${i}@example.com CANARY-${i}07`,
        idCard: `CANARY-${i}08`,
      });
    }
    for (const cls of ['tickets', 'crm'] as const) {
      const r = new Replicator({
        name: cls,
        local: branch.dbs[cls],
        remoteUrl: `${hq.url}/b-${branchId}-${cls}`,
        direction: 'push',
      });
      r.start();
      reps.push(r);
    }
    const synced = await waitFor(async () => {
      const counts = await Promise.all(reps.map((r) => r.remote.info().then((i) => i.doc_count)));
      return counts.every((c) => c === 40);
    }, 20_000);
    assert.ok(synced, 'every projection reached HQ');
    let found = 0;
    for (const cls of ['tickets', 'crm']) {
      const all = await hq.db(`b-${branchId}-${cls}`).allDocs({ include_docs: true });
      for (const row of all.rows) found += (JSON.stringify(row.doc).match(CANARY) ?? []).length;
    }
    let outbound = 0;
    for (const db of [branch.dbs.tickets, branch.dbs.crm]) {
      const all = await db.allDocs({ include_docs: true });
      for (const row of all.rows) outbound += (JSON.stringify(row.doc).match(CANARY) ?? []).length;
    }
    return { hq: found, outbound };
  } finally {
    for (const r of reps) await r.close();
    await branch.close();
  }
}

test('verifyPolicy() accepts a policy signed by the pinned HQ key and refuses a tampered or foreign one', () => {
  const key = generatePolicyKey();
  const other = generatePolicyKey();
  const signed = signPolicy(defaultPolicy(), key);
  assert.equal(verifyPolicy(signed, key.publicKey), true);
  const tampered = structuredClone(signed);
  (tampered.policy.classes.tickets as { fields: Record<string, string> }).fields['description'] = 'plain';
  assert.equal(verifyPolicy(tampered, key.publicKey), false);
  assert.equal(verifyPolicy(signPolicy(defaultPolicy(), other), key.publicKey), false);
});

test('no canary reaches HQ or the outbound databases in clear under a token/sealed/withheld policy', async () => {
  const found = await canariesAtHq('R1', defaultPolicy());
  assert.deepEqual(found, { hq: 0, outbound: 0 });
});

test('the same canary scan finds the canaries when the policy makes every field plain', async () => {
  const plain = defaultPolicy();
  for (const cls of ['tickets', 'crm'] as const) {
    const fields = plain.classes[cls]?.fields ?? {};
    for (const f of Object.keys(fields)) fields[f] = 'plain';
    for (const f of ['internalNote', 'idCard']) fields[f] = 'plain';
  }
  const found = await canariesAtHq('R2', plain);
  // 40 tickets × 5 canaries + 40 CRM records × 3 canaries, each once per document.
  assert.equal(found.hq, 40 * 5 + 40 * 3);
});

test('token fields give the same person the same pseudonym across tickets and CRM', async () => {
  const branch = await makeBranch('R3');
  try {
    await branch.projector.projectRecord('tickets', { id: 'a', customerName: 'Li Si' });
    await branch.projector.projectRecord('crm', { id: 'b', name: ' li si ' });
    const t = (await branch.dbs.tickets.get('ticket:a')) as unknown as { f: Record<string, { v: string }> };
    const c = (await branch.dbs.crm.get('crm:b')) as unknown as { f: Record<string, { v: string }> };
    assert.match(String(t.f['customerName']?.v), /^tok:/);
    assert.equal(t.f['customerName']?.v, c.f['name']?.v);
  } finally {
    await branch.close();
  }
});
