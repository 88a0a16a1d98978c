import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureTlsMaterial } from '../appliance/src/system/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { type Rsyslog, startRsyslog } from './support/rsyslog.ts';
import { assertDeliveredOnceInOrder, auditRecords, siemHealth, signedInAuditor } from './support/siem.ts';
import { until } from './support/until.ts';

// Audit → SIEM against Debian's rsyslogd: plain TCP (RFC 6587 octet counting), and
// a collector whose certificate the appliance must not trust.

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function appliance(env: Record<string, string>): Promise<RunningAppliance> {
  const data = await tempDataDir('bl-siem-');
  const app = await startAppliance(data.dir, { env: { BRANCHLINE_HTTPS: 'off', ...env } });
  cleanups.push(data.cleanup, () => app.stop());
  return app;
}

test('over plain TCP every audit record reaches rsyslog once, in order, as RFC 5424 with its sequence and hash', async () => {
  const collector: Rsyslog = await startRsyslog();
  cleanups.push(() => collector.cleanup());
  const app = await appliance({ BRANCHLINE_SIEM_URL: `tcp://127.0.0.1:${collector.port}` });
  const { admin } = await bootstrapAdmin(app);
  for (let i = 0; i < 5; i++) {
    const r = await admin.request('POST', '/api/customers', { name: `SIEM TCP ${i}` });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  const auditor = await signedInAuditor(app, admin);
  const records = await auditRecords(auditor);
  assert.ok(records.some((r) => r.action === 'customer.created'));
  assert.ok(records.some((r) => r.action === 'session.started'));
  const last = records.at(-1)!.seq;
  const received = await until('the collector has every record', async () => {
    const got = await collector.received();
    return got.some((m) => Number(m.sd['seq']) >= last) ? got : undefined;
  });
  assertDeliveredOnceInOrder(received.slice(0, records.length), records);
  // The cursor is saved after the batch has settled (25 ms) and been fsynced: the collector
  // can hold a record a moment before the appliance records that it does.
  const h = await until('the cursor covers the last record', async () => {
    const got = await siemHealth(app);
    return got.siem.cursor >= last ? got : undefined;
  });
  assert.equal(h.siem.state, 'connected');
  assert.ok(h.siem.cursor >= last, `cursor ${h.siem.cursor} covers ${last}`);
  assert.deepEqual(h.siem.alarms, []);
  assert.equal(h.checks['siem']?.ok, true);
});

test('a collector whose certificate the configured CA did not issue gets no record, and the appliance raises a critical alarm', async () => {
  const trusted = await tempDataDir('bl-siem-ca-');
  const other = await tempDataDir('bl-siem-other-');
  cleanups.push(trusted.cleanup, other.cleanup);
  const [good, wrong] = [await ensureTlsMaterial(trusted.dir), await ensureTlsMaterial(other.dir)];
  const collector = await startRsyslog({
    tls: { caFile: wrong.caPath, certFile: wrong.certPath, keyFile: wrong.keyPath },
  });
  cleanups.push(() => collector.cleanup());
  const app = await appliance({
    BRANCHLINE_SIEM_URL: `tls://127.0.0.1:${collector.port}`,
    BRANCHLINE_SIEM_CA: join(trusted.dir, 'tls', 'ca.crt'),
  });
  assert.equal(good.caPath, join(trusted.dir, 'tls', 'ca.crt'));
  const { admin } = await bootstrapAdmin(app);
  await admin.request('POST', '/api/customers', { name: 'SIEM untrusted' });
  const h = await until(
    'the certificate alarm',
    async () => {
      const s = await siemHealth(app);
      return s.siem.alarms.includes('siem.certificate_rejected') && s.siem.connectAttempts >= 2
        ? s
        : undefined;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(h.siem.state, 'unreachable');
  assert.match(h.siem.lastError ?? '', /Certificate of tls:\/\/127\.0\.0\.1:\d+ rejected/);
  assert.equal(h.status, 'degraded');
  assert.equal(h.checks['siem']?.ok, false);
  assert.ok(h.siem.backlog > 0 && h.siem.cursor === 0, JSON.stringify(h.siem));
  const alarm = (await auditRecords(await signedInAuditor(app, admin))).find(
    (r) => r.action === 'system.alarm_raised' && r.details?.['alarm'] === 'siem.certificate_rejected',
  );
  assert.ok(alarm, 'the alarm is on the audit trail');
  assert.equal(alarm.details?.['severity'], 'critical');
  assert.deepEqual(await collector.received(), [], 'nothing reached the untrusted collector');
});
