import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type HqCouch,
  installHqRules,
  openRemote,
  PouchDB,
  type PouchDb,
  startHqCouch,
} from '../../../sync/src/index.ts';
import { EventBus } from '../events/index.ts';
import { AuditWatch } from './audit-watch.ts';

describe('AuditWatch', () => {
  let dir: string;
  let hq: HqCouch;
  let local: PouchDb;
  let state: PouchDb;
  let remote: PouchDb;
  const bus = new EventBus();
  const alarms: Array<{ alarm: string; severity: string; detail?: string }> = [];
  bus.subscribe('system.alarm_raised', (e) => void alarms.push(e.data));

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bl-audit-watch-'));
    hq = await startHqCouch({ dataDir: path.join(dir, 'hq') });
    // HQ rules that refuse the signed head (it alone carries `frontier`).
    await installHqRules(hq.db('b-AW-audit'), { forbiddenFields: ['frontier'] });
    local = new PouchDB(path.join(dir, 'outbound-audit'));
    state = new PouchDB(path.join(dir, 'sync-state'));
    remote = openRemote(`${hq.url}/b-AW-audit`);
  });
  after(async () => {
    await remote?.close();
    await local?.close();
    await state?.close();
    await hq?.close();
    bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('checkHead() raises sync.audit_head_refused once when HQ refuses the signed head past the grace period', async () => {
    await local.put({ _id: 'rec:000000000001', seq: 1, hash: 'h1' });
    await local.put({ _id: 'meta:head', seq: 1, hash: 'h1', frontier: ['h1'], publicKey: 'k' });
    const denied: string[] = [];
    const rep = local.replicate.to(remote);
    rep.on('denied', ((e: { id?: string }) => denied.push(String(e.id))) as never);
    await rep;
    assert.deepEqual(denied, ['meta:head']);
    const watch = new AuditWatch({ local, remote: () => remote, state, bus, graceMs: 1_000 });
    const t0 = Date.now();
    await watch.checkHead(t0);
    assert.equal(alarms.length, 0, 'no alarm within the grace period');
    await watch.checkHead(t0 + 1_500);
    await watch.checkHead(t0 + 3_000);
    assert.deepEqual(
      alarms.map((a) => [a.alarm, a.severity]),
      [['sync.audit_head_refused', 'critical']],
    );
    assert.match(alarms[0]?.detail ?? '', /HQ holds audit head none/);
  });

  it('onVerdict() raises audit.witness_failed once per failed verdict and stays quiet for ok ones', async () => {
    const watch = new AuditWatch({ local, remote: () => remote, state, bus });
    const before = alarms.length;
    const failed = { _id: 'witness', _rev: '1-a', type: 'witness', ok: false, problems: ['chain: record 3'] };
    await watch.onVerdict(failed);
    await watch.onVerdict(failed); // pulled again after a restart
    await watch.onVerdict({ _id: 'witness', _rev: '2-b', type: 'witness', ok: true, problems: [] });
    const raised = alarms.slice(before);
    assert.deepEqual(
      raised.map((a) => [a.alarm, a.detail]),
      [['audit.witness_failed', 'chain: record 3']],
    );
  });
});
