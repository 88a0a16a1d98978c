import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MemoryDocStore, type StoredDoc } from '../storage/index.ts';
import type { HashAlg } from './canonical.ts';
import { GENESIS_HASH } from './canonical.ts';
import { buildRecord } from './chain.ts';
import { HEAD_ID, recId } from './ids.ts';
import { AuditLog } from './log.ts';
import { leafHash, MerkleAccumulator, merkleRoot, nodeHash } from './merkle.ts';
import { commitOf, openingOf, recordHash } from './record-format.ts';
import { ephemeralSigner } from './signing-key.ts';
import { steppingClock } from './test-fixtures.ts';
import type { AuditRecord, HeadMarker } from './types.ts';
import { verifyAuditStore } from './verify.ts';

const hashes = (n: number) =>
  Array.from({ length: n }, (_, i) => createHash('sha256').update(`r${i}`).digest('hex'));
const ev = (i: number) => ({
  actor: `u${i}`,
  action: 'user.updated',
  target: `user:${i}`,
  outcome: 'success' as const,
});

test('an SM3 Merkle tree is RFC 6962 with SM3, and a tree switching algorithm hashes each node with its last leaf’s', () => {
  const [a, b, c] = hashes(3) as [string, string, string];
  const sm3Leaf = createHash('sm3')
    .update(Buffer.concat([Buffer.of(0), Buffer.from(a, 'hex')]))
    .digest('hex');
  assert.equal(leafHash(a, 'sm3'), sm3Leaf);
  assert.notEqual(leafHash(a, 'sm3'), leafHash(a));
  assert.equal(
    merkleRoot([a, b, c], ['sm3', 'sm3', 'sm3']),
    nodeHash(nodeHash(leafHash(a, 'sm3'), leafHash(b, 'sm3'), 'sm3'), leafHash(c, 'sm3'), 'sm3'),
  );
  // Switch at the third record: the first pair stays SHA-256, the root is SM3.
  assert.equal(
    merkleRoot([a, b, c], ['sha256', 'sha256', 'sm3']),
    nodeHash(nodeHash(leafHash(a), leafHash(b)), leafHash(c, 'sm3'), 'sm3'),
  );
  for (const switchAt of [0, 1, 5, 16, 37]) {
    const hs = hashes(45);
    const algs: HashAlg[] = hs.map((_, i) => (i >= switchAt ? 'sm3' : 'sha256'));
    const acc = new MerkleAccumulator();
    hs.forEach((h, i) => {
      acc.push(h, algs[i]);
      assert.equal(
        acc.root(),
        merkleRoot(hs.slice(0, i + 1), algs.slice(0, i + 1)),
        `switch ${switchAt}, n=${i + 1}`,
      );
    });
    const resumed = MerkleAccumulator.fromFrontier(45, acc.frontier, acc.lastAlg);
    assert.equal(resumed.root(), acc.root());
  }
});

test('an SM3 record commits with HMAC-SM3 and hashes with SM3; changing its alg afterwards breaks its hash', () => {
  const salt = 'AAAAAAAAAAAAAAAAAAAAAA';
  const r = buildRecord(1, GENESIS_HASH, '2025-01-01T00:00:00.000Z', ev(1), salt, 'sm3') as unknown as Record<
    string,
    unknown
  >;
  assert.equal(r['alg'], 'sm3');
  assert.equal(
    (r['commits'] as Record<string, string>)['actor'],
    commitOf(openingOf(salt, 'actor', 'sm3'), 'u1', 'sm3'),
  );
  assert.notEqual(openingOf(salt, 'actor', 'sm3'), openingOf(salt, 'actor'));
  assert.equal(r['hash'], recordHash(r));
  assert.notEqual(recordHash({ ...r, alg: undefined }), r['hash']);
  assert.equal(recordHash({ ...r, alg: 'md5' }), '');
  const classic = buildRecord(1, GENESIS_HASH, '2025-01-01T00:00:00.000Z', ev(1), salt) as unknown as Record<
    string,
    unknown
  >;
  assert.equal(classic['alg'], undefined, 'SHA-256 records look as before');
});

test('a log that switches to SM3 across a restart continues its chain and tree, checkpoints over both and verifies end to end', async () => {
  const store = new MemoryDocStore('audit');
  const signer = await ephemeralSigner();
  const now = steppingClock();
  const open = (alg: HashAlg) =>
    AuditLog.open(store, { signer, now, checkpointIntervalMs: 0, hashAlg: () => alg });
  const classic = await open('sha256');
  for (let i = 1; i <= 7; i++) await classic.append(ev(i));
  await classic.close();
  const gm = await open('sm3');
  const switched = await gm.append(ev(8));
  assert.equal(switched.alg, 'sm3');
  for (let i = 9; i <= 12; i++) await gm.append(ev(i));
  const ck = await gm.checkpoint();
  await gm.close();
  const recs = (await store.list<AuditRecord>({ prefix: 'rec:' })) as Array<StoredDoc<AuditRecord>>;
  assert.deepEqual(
    recs.map((r) => r.alg ?? 'sha256'),
    [...Array(7).fill('sha256'), ...Array(5).fill('sm3')],
  );
  assert.equal(recs[7]?.prevHash, recs[6]?.hash, 'the switch record links to the last SHA-256 record');
  assert.equal(
    ck?.root,
    merkleRoot(
      recs.map((r) => r.hash),
      recs.map((r) => r.alg ?? 'sha256'),
    ),
  );
  assert.equal((await store.get<HeadMarker>(HEAD_ID))?.alg, 'sm3');
  // A restart resumes the tree from the head (frontier + alg): a timer checkpoint right away matches.
  const again = await open('sm3');
  await again.append(ev(13));
  const ck2 = await again.checkpoint();
  await again.close();
  const all = await store.list<AuditRecord>({ prefix: 'rec:' });
  assert.equal(
    ck2?.root,
    merkleRoot(
      all.map((r) => r.hash),
      all.map((r) => r.alg ?? 'sha256'),
    ),
  );
  const report = await verifyAuditStore(store, { publicKey: signer.publicKey });
  assert.deepEqual([report.ok, report.records, report.checkpoints, report.problems], [true, 13, 2, []]);
});

test('verify() reports an unknown hash algorithm and a head whose algorithm was rewritten', async () => {
  const store = new MemoryDocStore('audit');
  const signer = await ephemeralSigner();
  const log = await AuditLog.open(store, {
    signer,
    now: steppingClock(),
    checkpointIntervalMs: 0,
    hashAlg: () => 'sm3',
  });
  for (let i = 1; i <= 4; i++) await log.append(ev(i));
  await log.close();
  const r2 = await store.get<Record<string, unknown>>(recId(2));
  await store.put({ ...r2, _id: recId(2), alg: 'md5' });
  const report = await verifyAuditStore(store, { publicKey: signer.publicKey });
  assert.ok(
    report.problems.some((p) => p.seq === 2 && /unknown hash algorithm/.test(p.message)),
    JSON.stringify(report.problems),
  );
  const head = await store.get<Record<string, unknown>>(HEAD_ID);
  await store.put({ ...head, _id: HEAD_ID, alg: 'sha256' });
  const again = await verifyAuditStore(store, { publicKey: signer.publicKey });
  assert.ok(
    again.problems.some((p) => p.id === HEAD_ID),
    JSON.stringify(again.problems),
  );
});
