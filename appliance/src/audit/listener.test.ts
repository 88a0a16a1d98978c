import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { attachAuditListener, recordPersonalDataRead, targetOf } from './listener.ts';
import { memoryAudit } from './test-fixtures.ts';

test('attachAuditListener() appends a record for each domain event before publish() resolves', async () => {
  const bus = new EventBus();
  const { audit } = await memoryAudit();
  attachAuditListener(bus, audit);
  await bus.publish(
    'user.frozen',
    { userId: 'u7', username: 'ann', reason: 'left' },
    { actor: 'adm', source: '10.0.0.5' },
  );
  await bus.publish('auth.failed', { username: 'ann', reason: 'bad_credentials' }, { source: '10.0.0.6' });
  const { records } = await audit.search();
  assert.equal(records.length, 2);
  const [frozen, failed] = records;
  assert.deepEqual(
    [frozen?.actor, frozen?.action, frozen?.target, frozen?.source, frozen?.outcome],
    ['adm', 'user.frozen', 'user:u7', '10.0.0.5', 'success'],
  );
  assert.equal(frozen?.details?.['reason'], 'left');
  assert.equal(failed?.outcome, 'denied');
  await audit.close();
});

test('the listener redacts session ids and skips the events the log records itself', async () => {
  const bus = new EventBus();
  const { audit } = await memoryAudit();
  const off = attachAuditListener(bus, audit);
  await bus.publish('session.started', { userId: 'u1', sessionId: 'secret-cookie-value' });
  await bus.publish('audit.checkpoint_signed', { seq: 1, root: 'r' });
  await bus.publish('audit.settings_changed', { fields: ['x'] });
  off();
  await bus.publish('user.unfrozen', { userId: 'u1', username: 'ann' });
  const { records } = await audit.search();
  assert.equal(records.length, 1);
  assert.equal(records[0]?.details?.['sessionId'], '[redacted]');
  assert.equal(records[0]?.target, 'user:u1');
  await audit.close();
});

test('recordPersonalDataRead() appends a customer.read with the fields revealed but no values', async () => {
  const { audit } = await memoryAudit();
  const r = await recordPersonalDataRead(audit, {
    actor: 'ag1',
    target: 'customer:c42',
    source: '10.2.0.1',
    fields: ['phone', 'idCard'],
  });
  assert.deepEqual([r.action, r.target, r.outcome], ['customer.read', 'customer:c42', 'success']);
  assert.deepEqual(r.details, { fields: ['phone', 'idCard'] });
  assert.equal(targetOf({ roleId: 'r1', permissions: [] }), 'role:r1');
  assert.equal(targetOf({ fields: [] }), undefined);
  await audit.close();
});

test('derived notifications (wallboard snapshots, typing) are not appended; state changes are', async () => {
  const bus = new EventBus();
  const { audit } = await memoryAudit();
  attachAuditListener(bus, audit);
  const before = audit.lastSeq;
  // The payloads do not matter here: only the event type decides.
  await bus.publish('analytics.wallboard_updated', {} as never);
  await bus.publish('webchat.visitor_typing', { contactId: 'c1', on: true, recipientUserId: 'u1' });
  assert.equal(audit.lastSeq, before);
  await bus.publish('role.deleted', { roleId: 'r1' });
  assert.equal(audit.lastSeq, before + 1);
});
