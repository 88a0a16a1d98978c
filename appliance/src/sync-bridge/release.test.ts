import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPolicy, signPolicy } from '../../../sync/src/index.ts';
import { SyncBridgeError } from './errors.ts';
import { type BridgeRig, startBridgeRig, until } from './test-rig.ts';

let rig: BridgeRig;
let hq: BridgeRig['hq'];
let hqConsole: BridgeRig['hqConsole'];
let hqKey: BridgeRig['hqKey'];
let dbs: BridgeRig['dbs'];
let bridge: BridgeRig['bridge'];
let events: BridgeRig['events'];
const admin = { actor: 'u-admin', source: '127.0.0.1' };

const atHq = (id: string) =>
  hq
    .db('b-R1-tickets')
    .get(id)
    .catch(() => undefined);
const idOf = async (docId: string) => (await bridge.quarantined()).find((e) => e.docId === docId)?.id ?? '';

before(async () => {
  rig = await startBridgeRig('R1', { tokenByte: 7 });
  ({ hq, hqConsole, hqKey, dbs, bridge, events } = rig);
  await dbs.tickets.bulkDocs([
    { _id: 'ticket:huge', policyVersion: 1, f: { note: { v: 'x'.repeat(6_000), t: '1' } } },
    { _id: 'ticket:card', policyVersion: 1, cardNumber: '4111111111111111' },
    { _id: 'ticket:old', policyVersion: 1, f: { note: { v: 'y'.repeat(5_000), t: '1' } } },
  ]);
  assert.ok(
    await until(async () => (await bridge.quarantined()).length === 3),
    'three documents quarantined',
  );
});

after(() => rig?.close());

describe('releasing a quarantined document', () => {
  it('is refused with SYNC_QUARANTINE_STILL_REFUSED while HQ rules still refuse it, and the entry stays', async () => {
    const id = await idOf('ticket:huge');
    await assert.rejects(
      bridge.releaseQuarantined(id, admin),
      (err: unknown) =>
        err instanceof SyncBridgeError &&
        err.code === 'SYNC_QUARANTINE_STILL_REFUSED' &&
        /too large/.test(err.message),
    );
    assert.equal((await bridge.quarantined()).length, 3);
    assert.equal(await atHq('ticket:huge'), undefined);
    assert.equal(events.filter((e) => e.type === 'sync.quarantine_released').length, 0);
  });

  it('lands the document at HQ once HQ relaxed its rules, shrinks the quarantine and publishes sync.quarantine_released', async () => {
    await hqConsole.enrolBranch('R1', { maxBytes: 16_384, forbiddenFields: ['cardNumber'] });
    const id = await idOf('ticket:huge');
    const local = await dbs.tickets.get('ticket:huge');
    const out = await bridge.releaseQuarantined(id, admin);
    assert.equal(out.rev, local._rev);
    assert.equal((await atHq('ticket:huge'))?._rev, local._rev, 'HQ holds the branch revision');
    const left = (await bridge.quarantined()).map((e) => e.docId).sort();
    assert.deepEqual(left, ['ticket:card', 'ticket:old']);
    assert.equal((await bridge.status()).quarantined, 2);
    const ev = events.find((e) => e.type === 'sync.quarantine_released');
    assert.equal(ev?.actor, 'u-admin');
    assert.deepEqual([ev?.data['docId'], ev?.data['db']], ['ticket:huge', 'tickets']);
    await assert.rejects(
      bridge.releaseQuarantined(id, admin),
      (err: unknown) =>
        err instanceof SyncBridgeError && err.code === 'SYNC_QUARANTINE_NOT_FOUND' && err.status === 404,
    );
  });

  it('notes an HQ release request on the entry, and a discard closes it without sending the document', async () => {
    await hqConsole.requestRelease(
      'R1',
      { cls: 'tickets', docId: 'ticket:card', note: 'please look' },
      'hq-ops',
    );
    assert.ok(
      await until(
        async () =>
          (await bridge.quarantined()).some((e) => e.releaseRequest?.note === 'please look') &&
          // The event follows the stored note; wait for both, not just the first.
          events.some((e) => e.type === 'sync.release_requested'),
      ),
      'the branch shows HQ request',
    );
    const req = events.find((e) => e.type === 'sync.release_requested');
    assert.deepEqual([req?.actor, req?.data['docId'], req?.data['by']], ['hq', 'ticket:card', 'hq-ops']);
    await bridge.publishStatus();
    assert.ok(
      await until(
        async () =>
          (await hqConsole.branchView('R1')).quarantine.find((q) => q.docId === 'ticket:card')?.releaseRequest
            ?.by === 'hq-ops',
      ),
      'HQ sees its request noted',
    );

    const id = await idOf('ticket:card');
    await bridge.discardQuarantined(id, admin);
    assert.deepEqual(
      (await bridge.quarantined()).map((e) => e.docId),
      ['ticket:old'],
    );
    assert.equal(await atHq('ticket:card'), undefined, 'a discarded document never leaves the branch');
    assert.ok(await dbs.tickets.get('ticket:card'), 'it stays in the branch outbound db');
    const stored = await dbs.quarantine.allDocs({ include_docs: true });
    assert.ok(!JSON.stringify(stored.rows).includes('4111111111111111'), 'the refused body is not kept');
    const ev = events.find((e) => e.type === 'sync.quarantine_discarded');
    assert.deepEqual([ev?.actor, ev?.data['docId'], ev?.data['db']], ['u-admin', 'ticket:card', 'tickets']);
    assert.match(String(ev?.data['reason']), /cardNumber/);
  });

  it('refuses a document shaped under an older residency policy with SYNC_QUARANTINE_POLICY_CHANGED', async () => {
    assert.equal(await bridge.applyPolicy(signPolicy({ ...defaultPolicy(), version: 2 }, hqKey)), true);
    const id = await idOf('ticket:old');
    await assert.rejects(
      bridge.releaseQuarantined(id, admin),
      (err: unknown) => err instanceof SyncBridgeError && err.code === 'SYNC_QUARANTINE_POLICY_CHANGED',
    );
    assert.equal(
      await atHq('ticket:old'),
      undefined,
      'HQ rules would accept it now, the branch policy does not',
    );
    assert.equal((await bridge.quarantined()).length, 1);
  });
});
