import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { AuditError } from './errors.ts';
import { ephemeralSigner } from './signing-key.ts';
import { memoryAudit } from './test-fixtures.ts';

const auditorAdmin = { userId: 'aud1', permissions: new Set(['audit.read', 'audit.settings']) };
const admin = { userId: 'adm1', permissions: new Set(['users.manage', 'audit.read']) };

test('updateSettings() by a principal without audit.settings fails with AUDIT_FORBIDDEN and records the denial', async () => {
  const { audit } = await memoryAudit();
  await assert.rejects(
    audit.updateSettings({ checkpointEvery: 5 }, admin, { source: '10.1.1.1' }),
    (e: unknown) => e instanceof AuditError && e.code === 'AUDIT_FORBIDDEN' && e.status === 403,
  );
  assert.equal(audit.getSettings().checkpointEvery, 100);
  const { records } = await audit.search({ action: 'audit.settings_changed' });
  assert.equal(records.length, 1);
  assert.deepEqual(
    [records[0]?.actor, records[0]?.outcome, records[0]?.source],
    ['adm1', 'denied', '10.1.1.1'],
  );
  await audit.close();
});

test('updateSettings() by an auditor-admin applies, persists, is audited with before/after and is published', async () => {
  const bus = new EventBus();
  const seen: string[][] = [];
  bus.subscribe('audit.settings_changed', (e) => {
    seen.push(e.data.fields);
  });
  const signer = await ephemeralSigner();
  const { audit, store } = await memoryAudit({ bus, signer });
  const next = await audit.updateSettings({ checkpointEvery: 3, exportMaxRows: 50 }, auditorAdmin);
  assert.equal(next.checkpointEvery, 3);
  const { records } = await audit.search({ action: 'audit.settings_changed', outcome: 'success' });
  assert.equal(records[0]?.actor, 'aud1');
  assert.deepEqual(records[0]?.details?.['before'], {
    checkpointEvery: 100,
    retentionDays: 3650,
    exportMaxRows: 100000,
  });
  assert.deepEqual(seen, [['checkpointEvery', 'exportMaxRows']]);
  await audit.append({ actor: 'u', action: 'x.y', outcome: 'success' });
  await audit.append({ actor: 'u', action: 'x.y', outcome: 'success' });
  const report = await audit.verify();
  assert.equal(report.checkpoints, 1, 'the new checkpointEvery is in force');
  await audit.close();
  const { audit: reopened } = await memoryAudit({ store, signer });
  assert.equal(reopened.getSettings().exportMaxRows, 50);
  await reopened.close();
});

test('updateSettings() rejects out-of-range or unknown settings with AUDIT_INVALID_SETTINGS', async () => {
  const { audit } = await memoryAudit();
  await assert.rejects(audit.updateSettings({ retentionDays: 7 }, auditorAdmin), {
    code: 'AUDIT_INVALID_SETTINGS',
  });
  await assert.rejects(audit.updateSettings({ bogus: 1 } as never, auditorAdmin), {
    code: 'AUDIT_INVALID_SETTINGS',
  });
  assert.equal(audit.getSettings().retentionDays, 3650);
  await audit.close();
});
