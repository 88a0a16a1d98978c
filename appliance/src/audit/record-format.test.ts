import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryDocStore } from '../storage/index.ts';
import { canonicalJson, GENESIS_HASH, sha256Hex, withoutMeta } from './canonical.ts';
import { buildRecord } from './chain.ts';
import { recId } from './ids.ts';
import { commitOf, openingOf, recordHash } from './record-format.ts';
import { memoryAudit } from './test-fixtures.ts';
import { verifyAuditStore } from './verify.ts';

const CUSTOMER = '5f0c1a52-9a43-4c1e-8d2f-0b7e2a9c4d11';
const input = {
  actor: 'u1',
  action: 'ticket.created',
  target: 'ticket:t1',
  outcome: 'success' as const,
  source: '192.0.2.7',
  details: { ticketId: 't1', customerId: CUSTOMER },
};

/** A format 1 record as the log wrote it before format 2: the hash over every field. */
function format1(seq: number, prevHash: string): Record<string, unknown> {
  const body = { seq, at: '2025-01-01T00:00:00.000Z', ...input, prevHash };
  return { _id: recId(seq), ...body, hash: sha256Hex(canonicalJson(withoutMeta(body, 'hash'))) };
}

test('buildRecord() writes format 2: a salt, a commitment per open field, and a hash that covers the commitments, not the values', () => {
  const r = buildRecord(1, GENESIS_HASH, '2025-01-01T00:00:00.000Z', input) as unknown as Record<
    string,
    unknown
  >;
  assert.equal(r['v'], 2);
  assert.match(String(r['salt']), /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(Object.keys(r['commits'] as object).sort(), ['actor', 'details', 'source', 'target']);
  const salt = String(r['salt']);
  assert.equal(
    (r['commits'] as Record<string, string>)['details'],
    commitOf(openingOf(salt, 'details'), input.details),
  );
  assert.equal(r['hash'], recordHash(r));
  // The hash does not change when the open fields are replaced (that is what lets HQ hold a shaped copy).
  assert.equal(recordHash({ ...r, details: { customerId: 'tok:x' }, target: undefined }), r['hash']);
  // Two records with the same content get different salts, so their commitments cannot be compared.
  const again = buildRecord(1, GENESIS_HASH, '2025-01-01T00:00:00.000Z', input) as unknown as Record<
    string,
    unknown
  >;
  assert.notEqual(again['salt'], salt);
  assert.notDeepEqual(again['commits'], r['commits']);
});

test('verifyAuditStore() verifies a log of format 1 records followed by format 2 records appended after an upgrade', async () => {
  const store = new MemoryDocStore('audit');
  const r1 = format1(1, GENESIS_HASH);
  const r2 = format1(2, String(r1['hash']));
  await store.bulkPut([r1, r2] as Array<{ _id: string }>);
  // The log opens over the old records (its head is rebuilt from them) and appends format 2.
  const { audit } = await memoryAudit({ store });
  const r3 = await audit.append(input);
  assert.deepEqual([r3.v, r3.seq], [2, 4], 'after the two old records and the head recovery record');
  const report = await verifyAuditStore(store);
  assert.deepEqual(report.problems, []);
  assert.equal(report.records, 4);
  await audit.close();
});

test('verifyAuditStore() reports a format 2 record whose detail, target, actor or salt changed even with its hash recomputed', async () => {
  const at2 = ['hash_mismatch', 2] as const;
  for (const [name, edit, [kind, seq]] of [
    [
      'details',
      (d: Record<string, unknown>) => ({ ...d, details: { ticketId: 't1', customerId: 'other' } }),
      at2,
    ],
    ['target', (d: Record<string, unknown>) => ({ ...d, target: 'ticket:t2' }), at2],
    ['actor', (d: Record<string, unknown>) => ({ ...d, actor: 'mallory' }), at2],
    ['salt', (d: Record<string, unknown>) => ({ ...d, salt: 'AAAAAAAAAAAAAAAAAAAAAA' }), at2],
    ['salt removed', (d: Record<string, unknown>) => ({ ...d, salt: undefined }), at2],
    ['commitment dropped', (d: Record<string, unknown>) => ({ ...d, commits: { actor: 'x' } }), at2],
    // An added field is covered by the hash itself: recomputing it breaks the link from record 3.
    ['field added', (d: Record<string, unknown>) => ({ ...d, note: 'added' }), ['chain_break', 3]],
  ] as const) {
    const { audit, store } = await memoryAudit();
    for (let i = 0; i < 3; i++) await audit.append(input);
    assert.equal((await audit.verify()).ok, true);
    const cur = (await store.get<Record<string, unknown>>(recId(2))) as Record<string, unknown>;
    const forged = JSON.parse(JSON.stringify(edit(cur))) as Record<string, unknown>;
    forged['hash'] = recordHash(forged);
    await store.put(forged as { _id: string });
    const report = await verifyAuditStore(store);
    assert.equal(report.ok, false, name);
    assert.ok(
      report.problems.some((p) => p.kind === kind && p.seq === seq),
      `${name}: ${JSON.stringify(report.problems)}`,
    );
    await audit.close();
  }
});

test('verifyAuditStore({ projected }) verifies a shaped format 2 copy, checks the fields it has openings for, and still catches a changed commitment', async () => {
  const { audit, store } = await memoryAudit();
  for (let i = 0; i < 4; i++) await audit.append(input);
  const hq = new MemoryDocStore('hq-copy');
  for (const d of await store.list<Record<string, unknown>>({ limit: 100 })) {
    const { _rev, ...doc } = d;
    if (!doc._id.startsWith('rec:')) {
      await hq.put(doc);
      continue;
    }
    const salt = String(doc['salt']);
    const { salt: _s, ...rest } = doc;
    await hq.put({
      ...rest,
      details: { ticketId: 't1', customerId: 'tok:shaped' },
      openings: { actor: openingOf(salt, 'actor'), target: openingOf(salt, 'target') },
    });
  }
  const ok = await verifyAuditStore(hq, { publicKey: audit.publicKey, projected: true });
  assert.deepEqual([ok.ok, ok.records, ok.problems], [true, 4, []]);
  // Without projected mode the same copy fails: the branch's own verify insists on the salt.
  assert.equal((await verifyAuditStore(hq, { publicKey: audit.publicKey })).ok, false);
  // A field shipped with its opening must match its commitment.
  const r2 = await hq.get<Record<string, unknown>>(recId(2));
  assert.ok(r2);
  await hq.put({ ...r2, actor: 'mallory' });
  const bad = await verifyAuditStore(hq, { publicKey: audit.publicKey, projected: true });
  assert.deepEqual(
    bad.problems.map((p) => [p.kind, p.seq]),
    [['hash_mismatch', 2]],
  );
  await audit.close();
});

test('verifyAuditStore({ projected }) counts a shaped format 1 record as unchecked and still checks its place in the chain', async () => {
  const hq = new MemoryDocStore('hq-copy');
  const r1 = format1(1, GENESIS_HASH);
  const r2 = format1(2, String(r1['hash']));
  await hq.bulkPut([r1, { ...r2, details: { customerId: 'tok:x' }, shaped: true }] as Array<{ _id: string }>);
  const report = await verifyAuditStore(hq, { projected: true });
  assert.equal(report.unchecked, 1);
  assert.deepEqual(
    report.problems.map((p) => p.kind),
    ['head_mismatch'],
    'only the missing head (this copy has none)',
  );
  // Unshaped format 1 records are checked in full; a shaped one must still link.
  await hq.put({ ...(await hq.get(recId(2))), prevHash: GENESIS_HASH } as { _id: string });
  const broken = await verifyAuditStore(hq, { projected: true });
  assert.ok(broken.problems.some((p) => p.kind === 'chain_break' && p.seq === 2));
});
