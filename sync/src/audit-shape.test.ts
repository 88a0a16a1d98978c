import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRecord } from '../../appliance/src/audit/chain.ts';
import { verifyAuditStore } from '../../appliance/src/audit/index.ts';
import { MemoryDocStore } from '../../appliance/src/storage/index.ts';
import { shapeAuditRecord } from './audit-shape.ts';
import { defaultPolicy } from './policy.ts';
import { generateHqSealKey, hqSealer, openHqSealed } from './seal.ts';
import { pseudonym } from './shape.ts';

const tokenKey = new Uint8Array(32).fill(7);
const CUSTOMER = '5f0c1a52-9a43-4c1e-8d2f-0b7e2a9c4d11';
const CONTACT = '0d4f3c2b-1a09-4e8d-9c7b-6a5f4e3d2c1b';
const at = '2025-01-01T00:00:00.000Z';
const record = (input: Parameters<typeof buildRecord>[3]) =>
  buildRecord(1, '0'.repeat(64), at, input) as unknown as { _id: string } & Record<string, unknown>;

test('shapeAuditRecord() tokenises customer and contact ids in target and details with the ticket customerId token, and the same id under another key', async () => {
  const sealer = { seal: async () => undefined };
  const created = await shapeAuditRecord(
    record({
      actor: 'u1',
      action: 'ticket.created',
      target: 'ticket:t1',
      outcome: 'success',
      details: { ticketId: 't1', number: 'T-1', customerId: CUSTOMER },
    }),
    defaultPolicy(),
    { tokenKey, sealer },
  );
  assert.equal((created['details'] as Record<string, unknown>)['customerId'], pseudonym(tokenKey, CUSTOMER));
  assert.equal((created['details'] as Record<string, unknown>)['ticketId'], 't1');
  assert.equal('salt' in created, false);
  // actor and target left unchanged: they ship with their openings; details changed: no opening.
  assert.deepEqual(Object.keys(created['openings'] as object).sort(), ['actor', 'target']);

  const queued = await shapeAuditRecord(
    record({
      actor: 'system',
      action: 'routing.task_queued',
      target: `task:${CONTACT}`,
      outcome: 'success',
      details: {
        taskId: CONTACT,
        contactId: CONTACT,
        attempt: { ref: CONTACT },
        tried: [CONTACT, 'other'],
        queueId: 'general',
      },
    }),
    defaultPolicy(),
    { tokenKey, sealer },
  );
  const text = JSON.stringify(queued);
  assert.equal(text.includes(CONTACT), false, text);
  assert.equal(queued['target'], `task:${pseudonym(tokenKey, CONTACT)}`);
  assert.equal((queued['details'] as Record<string, unknown>)['queueId'], 'general');

  const merged = await shapeAuditRecord(
    record({
      actor: 'u1',
      action: 'customer.merged',
      target: 'merge:m1',
      outcome: 'success',
      details: { mergeId: 'm1', sourceId: CONTACT, targetId: CUSTOMER, handles: 2 },
    }),
    defaultPolicy(),
    { tokenKey, sealer },
  );
  assert.deepEqual(merged['details'], {
    mergeId: 'm1',
    sourceId: pseudonym(tokenKey, CONTACT),
    targetId: pseudonym(tokenKey, CUSTOMER),
    handles: 2,
  });
});

test('shapeAuditRecord() shapes personal detail keys by the rule of the field they describe: withheld, token, sealed to HQ', async () => {
  const hq = await generateHqSealKey();
  const doc = record({
    actor: 'u1',
    action: 'customer.read',
    target: `customer:${CUSTOMER}`,
    outcome: 'success',
    details: {
      idCard: '11010519491231002X',
      phone: '13800138000',
      subject: 'card lost',
      fields: ['phone'],
    },
  });
  const shaped = await shapeAuditRecord(doc, defaultPolicy(), { tokenKey, sealer: hqSealer(hq.publicKey) });
  const d = shaped['details'] as Record<string, unknown>;
  assert.equal('idCard' in d, false, 'crm.idCard is withheld');
  assert.equal(
    d['phone'],
    pseudonym(tokenKey, '13800138000'),
    'crm.phone is a token (an 11-digit mobile passes the source mask)',
  );
  assert.equal(
    await openHqSealed(hq.privateKey, String(d['subject']), {
      db: 'audit',
      docId: doc._id,
      field: 'details.subject',
    }),
    'card lost',
  );
  assert.deepEqual(d['fields'], ['phone']);
  assert.equal(shaped['target'], `customer:${pseudonym(tokenKey, CUSTOMER)}`);
});

test("a shaped format 2 record still verifies in HQ's projected mode; a format 1 record that changed is marked shaped", async () => {
  const doc = record({
    actor: 'u1',
    action: 'customer.created',
    target: `customer:${CUSTOMER}`,
    outcome: 'success',
    details: { customerId: CUSTOMER },
  });
  const shaped = await shapeAuditRecord(doc, defaultPolicy(), {
    tokenKey,
    sealer: { seal: async () => undefined },
  });
  const store = new MemoryDocStore('hq');
  const { class: _c, policyVersion: _p, ...rest } = shaped;
  await store.put(rest);
  const report = await verifyAuditStore(store, { projected: true });
  assert.deepEqual(
    report.problems.map((p) => p.kind),
    ['head_mismatch'],
    'only the missing head (no head in this copy)',
  );
  const { v: _v, salt: _s, commits: _m, ...format1 } = doc;
  const old = await shapeAuditRecord(format1 as typeof doc, defaultPolicy(), {
    tokenKey,
    sealer: { seal: async () => undefined },
  });
  assert.equal(old['shaped'], true);
  assert.equal(JSON.stringify(old).includes(CUSTOMER), false);
});

test("a shaped SM3 record (gm suite) still verifies in HQ's projected mode with the HMAC-SM3 openings it ships", async () => {
  const doc = buildRecord(
    1,
    '0'.repeat(64),
    at,
    { actor: 'u1', action: 'customer.created', target: `customer:${CUSTOMER}`, outcome: 'success' },
    undefined,
    'sm3',
  ) as unknown as { _id: string } & Record<string, unknown>;
  const shaped = await shapeAuditRecord(doc, defaultPolicy(), {
    tokenKey,
    sealer: { seal: async () => undefined },
  });
  assert.equal(shaped['alg'], 'sm3');
  assert.ok(Object.keys(shaped['openings'] as object).includes('actor'));
  const store = new MemoryDocStore('hq');
  const { class: _c, policyVersion: _p, ...rest } = shaped;
  await store.put(rest);
  const report = await verifyAuditStore(store, { projected: true });
  assert.deepEqual(
    report.problems.map((p) => p.kind),
    ['head_mismatch'],
    'only the missing head (no head in this copy)',
  );
});
