import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidStateError } from '../contracts/index.ts';
import { EventBus } from '../events/index.ts';
import { type ListOptions, MemoryDocStore, type StoredDoc } from '../storage/index.ts';
import { signedBytes } from './canonical.ts';
import { ckptId, HEAD_ID, recId } from './ids.ts';
import { merkleRoot } from './merkle.ts';
import { verifyDetached } from './signature.ts';
import { ephemeralSigner } from './signing-key.ts';
import { memoryAudit } from './test-fixtures.ts';
import type { AuditRecord, Checkpoint } from './types.ts';

const ev = (i: number) => ({
  actor: `u${i % 3}`,
  action: 'user.updated',
  target: `user:${i}`,
  outcome: 'success' as const,
});

test('append() gives concurrent appends gapless seqs from 1, each linked to the previous hash', async () => {
  const { audit, store } = await memoryAudit();
  const recs = await Promise.all(Array.from({ length: 60 }, (_, i) => audit.append(ev(i))));
  assert.deepEqual(
    recs.map((r) => r.seq),
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  assert.equal(recs[0]?.prevHash, '0'.repeat(64));
  for (let i = 1; i < recs.length; i++) assert.equal(recs[i]?.prevHash, recs[i - 1]?.hash);
  const stored = await store.get<AuditRecord>(recId(60));
  assert.equal(stored?.hash, recs[59]?.hash);
  assert.equal((await audit.verify()).ok, true);
  await audit.close();
});

test('append() stamps records in UTC from the injected clock and rejects a bad outcome with TypeError', async () => {
  const { audit } = await memoryAudit({ now: () => new Date('2025-03-04T05:06:07+08:00') });
  const r = await audit.append({
    actor: 'u1',
    action: 'customer.read',
    outcome: 'success',
    source: '10.0.0.9',
  });
  assert.equal(r.at, '2025-03-03T21:06:07.000Z');
  assert.equal(r.source, '10.0.0.9');
  assert.throws(() => audit.append({ actor: 'u1', action: 'x', outcome: 'maybe' as 'success' }), TypeError);
  await audit.close();
});

test('append() redacts secret-looking details and masks card-like digit runs', async () => {
  const { audit } = await memoryAudit();
  const r = await audit.append({
    actor: 'u1',
    action: 'user.password_changed',
    outcome: 'success',
    details: {
      password: 'hunter2',
      nested: { apiToken: 't' },
      note: 'card 6222 0212 3456 1234',
      userId: 'u9',
      // All-digit UUID groups look like a card number but are an identifier, kept whole.
      callId: '66ea5a06-6aa0-4358-8314-1379885200d9',
      both: 'call 11576893-2873-4ac8-af60-de8c3e0f9fb2 paid with 6222021234567890',
    },
  });
  assert.deepEqual(r.details, {
    password: '[redacted]',
    nested: { apiToken: '[redacted]' },
    note: 'card ***1234',
    userId: 'u9',
    callId: '66ea5a06-6aa0-4358-8314-1379885200d9',
    both: 'call 11576893-2873-4ac8-af60-de8c3e0f9fb2 paid with ***7890',
  });
  await audit.close();
});

test('a checkpoint is signed every checkpointEvery records over the RFC 6962 root of the record hashes', async () => {
  const signer = await ephemeralSigner();
  const { audit, store } = await memoryAudit({ signer });
  const recs: AuditRecord[] = [];
  for (let i = 0; i < 205; i++) recs.push(await audit.append(ev(i)));
  const ck = await store.get<Checkpoint>(ckptId(200));
  assert.ok(ck, 'checkpoint 200 exists');
  assert.ok(await store.get<Checkpoint>(ckptId(100)));
  assert.equal(ck.root, merkleRoot(recs.slice(0, 200).map((r) => r.hash)));
  const prev = await store.get<Checkpoint>(ckptId(100));
  assert.equal(ck.prevCheckpointRoot, prev?.root);
  assert.equal(ck.publicKey, signer.publicKey);
  const { _id, _rev, ...body } = ck;
  assert.equal(await verifyDetached(signedBytes('ckpt', body), ck.signature, signer.publicKey), true);
  assert.equal(
    await verifyDetached(
      signedBytes('ckpt', { ...body, root: 'f'.repeat(64) }),
      ck.signature,
      signer.publicKey,
    ),
    false,
  );
  const manual = await audit.checkpoint();
  assert.equal(manual?.seq, 205);
  assert.equal(await audit.checkpoint(), undefined, 'nothing new since the last checkpoint');
  const head = await store.get<{ seq: number; lastCheckpointSeq: number }>(HEAD_ID);
  assert.deepEqual([head?.seq, head?.lastCheckpointSeq], [205, 205]);
  assert.equal((await audit.verify()).ok, true);
  await audit.close();
});

test('a reopened log continues the same chain from the head marker', async () => {
  const signer = await ephemeralSigner();
  const { audit, store } = await memoryAudit({ signer });
  for (let i = 0; i < 130; i++) await audit.append(ev(i));
  await audit.close();
  const { audit: again } = await memoryAudit({ signer, store });
  const r = await again.append(ev(999));
  assert.equal(r.seq, 131);
  for (let i = 0; i < 80; i++) await again.append(ev(i));
  const report = await again.verify();
  assert.deepEqual([report.ok, report.records, report.checkpoints], [true, 211, 2]);
  await again.close();
});

test('a log whose head lags its records resumes from the records and records the mismatch', async () => {
  const signer = await ephemeralSigner();
  const { audit, store } = await memoryAudit({ signer });
  for (let i = 0; i < 10; i++) await audit.append(ev(i));
  await audit.close();
  const head = await store.get<{ seq: number }>(HEAD_ID);
  await store.remove(HEAD_ID, head?._rev ?? '');
  const { audit: again } = await memoryAudit({ signer, store });
  const { records } = await again.search({ action: 'audit.head_recovered' });
  assert.equal(records[0]?.seq, 11);
  assert.equal(records[0]?.outcome, 'failure');
  await again.close();
});

test('close() is idempotent and later appends reject with InvalidStateError', async () => {
  const { audit } = await memoryAudit();
  const pending = audit.append(ev(1));
  await audit.close();
  await audit.close();
  assert.equal((await pending).seq, 1, 'appends queued before close() still land');
  assert.throws(() => audit.append(ev(2)), InvalidStateError);
});

test('the checkpoint timer signs new records and announces audit.checkpoint_signed on the bus', async () => {
  const bus = new EventBus();
  const signed: number[] = [];
  bus.subscribe('audit.checkpoint_signed', (e) => {
    signed.push(e.data.seq);
  });
  const { audit, store } = await memoryAudit({ bus, checkpointIntervalMs: 15 });
  for (let i = 0; i < 7; i++) await audit.append(ev(i));
  for (let i = 0; i < 100 && signed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(signed, [7]);
  assert.ok(await store.get(ckptId(7)));
  await audit.close();
});

/** A store whose second and later list() pages arrive late, after a hook ran (to force a race). */
class PagedStore extends MemoryDocStore {
  lists = 0;
  afterFirstPage: () => void = () => {};
  override async list<T extends object>(options?: ListOptions): Promise<StoredDoc<T>[]> {
    const page = await super.list<T>(options);
    if (++this.lists === 1) this.afterFirstPage();
    else await new Promise((r) => setTimeout(r, 20));
    return this.lists === 1 ? page : super.list<T>(options);
  }
}

test('verify() on a live log is not fooled by appends racing its scan', async () => {
  const store = new PagedStore('audit');
  const { audit } = await memoryAudit({ store });
  for (let i = 0; i < 600; i++) await audit.append(ev(i));
  let racing: Promise<unknown> = Promise.resolve();
  store.lists = 0;
  store.afterFirstPage = () => {
    racing = Promise.all(Array.from({ length: 120 }, (_, i) => audit.append(ev(i))));
  };
  const report = await audit.verify();
  await racing;
  assert.deepEqual(report.problems, []);
  assert.equal(report.records, 600);
  store.afterFirstPage = () => {};
  assert.equal((await audit.verify()).records, 720);
  await audit.close();
});
