// Audit → SIEM across failures, against Debian's rsyslogd with a TLS (RFC 5425)
// listener: the collector is down for a minute while records keep being made,
// comes back, and the appliance is killed (SIGKILL) half-way through sending
// the backlog and started again. At the end every record's sequence arrived
// exactly once, in order, with the stored record's hash.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openPouchStore } from '../appliance/src/storage/index.ts';
import { ensureTlsMaterial } from '../appliance/src/system/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { type Received, startRsyslog } from './support/rsyslog.ts';
import { type AuditRow, assertDeliveredOnceInOrder, siemHealth } from './support/siem.ts';
import { until } from './support/until.ts';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const maxSeq = (got: Received[]) => got.reduce((m, r) => Math.max(m, Number(r.sd['seq'])), 0);

/** Every record in the stopped appliance's audit store, ascending. */
async function storedRecords(dataDir: string): Promise<AuditRow[]> {
  const store = await openPouchStore(join(dataDir, 'db'), 'audit');
  try {
    const out: AuditRow[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await store.list<AuditRow>({
        prefix: 'rec:',
        limit: 500,
        ...(afterId === undefined ? {} : { after: afterId }),
      });
      out.push(...page);
      if (page.length < 500) return out;
      afterId = page.at(-1)!._id;
    }
  } finally {
    await store.close();
  }
}

test('a minute-long collector outage and an appliance SIGKILL mid-backlog: every record reaches rsyslog over TLS once, in order, with its hash', async (t) => {
  const ca = await tempDataDir('bl-siem-ca-');
  const data = await tempDataDir('bl-siem-data-');
  cleanups.push(ca.cleanup, data.cleanup);
  const tls = await ensureTlsMaterial(ca.dir);
  const collector = await startRsyslog({
    tls: { caFile: tls.caPath, certFile: tls.certPath, keyFile: tls.keyPath },
  });
  cleanups.push(() => collector.cleanup());
  const env = {
    BRANCHLINE_HTTPS: 'off',
    BRANCHLINE_SIEM_URL: `tls://127.0.0.1:${collector.port}`,
    BRANCHLINE_SIEM_CA: tls.caPath,
    BRANCHLINE_SIEM_ALARM_AFTER_SECONDS: '20',
    // 20 records a second: the backlog of the outage takes several seconds to send.
    BRANCHLINE_SIEM_MAX_RATE: '20',
  };
  let app: RunningAppliance = await startAppliance(data.dir, { env });
  cleanups.push(() => app.stop());

  // Sign-ins and creates while the collector is up.
  const { admin } = await bootstrapAdmin(app);
  await createSignedInUser(admin, 'siem.agent', ['agent'], 'agent password 2026 x');
  for (let i = 0; i < 3; i++) {
    assert.equal((await admin.request('POST', '/api/customers', { name: `Before ${i}` })).status, 201);
  }
  const caughtUp = async (a: RunningAppliance) => {
    const h = await siemHealth(a);
    const got = await collector.received();
    return h.siem.backlog === 0 && maxSeq(got) === h.siem.lastSeq ? h : undefined;
  };
  const live = await until('the collector has every record so far', () => caughtUp(app), {
    timeoutMs: 30_000,
  });
  assert.equal(live.siem.state, 'connected');

  // The collector is down for 60 s; records keep being made (creates, and a sign-in every few).
  await collector.stop();
  const downAt = Date.now();
  let made = 0;
  await until(
    'a minute of records with the collector down',
    async () => {
      made++;
      if (made % 5 === 0) {
        assert.equal(
          (await new ApiClient(app.base).login('siem.agent', 'agent password 2026 x')).status,
          200,
        );
      } else {
        const both = await Promise.all(
          [1, 2].map((k) => admin.request('POST', '/api/customers', { name: `During ${made}.${k}` })),
        );
        assert.deepEqual(
          both.map((r) => r.status),
          [201, 201],
        );
      }
      return Date.now() - downAt >= 60_000 ? true : undefined;
    },
    { timeoutMs: 120_000, everyMs: 300 },
  );
  const down = await siemHealth(app);
  assert.equal(down.siem.state, 'unreachable');
  assert.ok(down.siem.alarms.includes('siem.collector_unreachable'), JSON.stringify(down.siem));
  assert.equal(down.status, 'degraded');
  assert.ok(down.siem.backlog >= 40, `backlog ${down.siem.backlog} (a loaded machine made too few records?)`);
  assert.equal(down.siem.cursor, live.siem.lastSeq, 'nothing counted as sent while the collector was down');

  // The collector comes back; the appliance is killed once part of the backlog is accepted,
  // right after a batch's cursor is saved (the next batch is a second away at 20/s).
  await collector.start();
  const atKill = await until(
    'part of the backlog accepted',
    async () => {
      const got = await collector.received();
      const h = await siemHealth(app);
      const fresh = h.siem.lastSentAt !== undefined && Date.now() - Date.parse(h.siem.lastSentAt) < 300;
      return fresh &&
        h.siem.cursor === maxSeq(got) &&
        h.siem.cursor >= live.siem.lastSeq + 10 &&
        h.siem.backlog >= 10
        ? h
        : undefined;
    },
    { timeoutMs: 60_000, everyMs: 20 },
  );
  await app.kill('SIGKILL');

  // Started again on the same data: it resumes after the durable cursor.
  app = await startAppliance(data.dir, { env });
  const resumed = await until('the rest of the backlog and the new records', () => caughtUp(app), {
    timeoutMs: 90_000,
    everyMs: 200,
  });
  assert.ok(resumed.siem.sent >= atKill.siem.backlog, `resent ${resumed.siem.sent} ≥ ${atKill.siem.backlog}`);
  assert.deepEqual(resumed.siem.alarms, []);
  // A sign-in after the restart is forwarded live too.
  assert.equal((await new ApiClient(app.base).login('siem.agent', 'agent password 2026 x')).status, 200);
  const final = await until('the sign-in after the restart', () => caughtUp(app), { timeoutMs: 30_000 });
  assert.ok(final.siem.lastSeq > resumed.siem.lastSeq);
  await app.stop();

  const received = await collector.received();
  const records = await storedRecords(data.dir);
  assert.ok(
    received.length >= final.siem.lastSeq,
    `${received.length} received, ${final.siem.lastSeq} stored`,
  );
  assertDeliveredOnceInOrder(received, records.slice(0, received.length));
  assert.ok(
    records.some(
      (r) => r.action === 'system.alarm_raised' && r.details?.['alarm'] === 'siem.collector_unreachable',
    ),
    'the outage alarm is on the audit trail (and was forwarded)',
  );
  assert.ok(records.filter((r) => r.action === 'session.started').length >= 12, 'sign-ins during the outage');
  t.diagnostic(
    `records ${records.length}, received ${received.length}; backlog after the outage ${down.siem.backlog}; ` +
      `killed at cursor ${atKill.siem.cursor} with ${atKill.siem.backlog} waiting; sent after restart ${final.siem.sent}`,
  );
});
