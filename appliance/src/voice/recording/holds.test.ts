import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { ephemeralSigner } from '../../audit/index.ts';
import { type DomainEvent, EventBus } from '../../events/index.ts';
import { createLogger } from '../../logging/index.ts';
import { openCrypto, openPouchStore } from '../../storage/index.ts';
import { RecordingExports } from './export.ts';
import { readTar, verifyRecordingExport, writeTar } from './export-verify.ts';
import { LegalHolds } from './holds.ts';
import { RecordingRetention } from './retention.ts';
import { RecordingService } from './service.ts';
import { loadStreamSodium } from './sodium.ts';
import { RecordingStreamWriter } from './stream.ts';

const DAY = 86_400_000;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Recordings, retention, holds and exports on real LevelDB with the real key ring and a fake clock. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'bl-holds-'));
  dirs.push(dir);
  const crypto = await openCrypto(join(dir, 'keys'));
  const store = await openPouchStore(join(dir, 'db'), 'recordings');
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe('*', (e) => void events.push(e));
  const clock = { now: Date.parse('2026-01-10T09:00:00Z') };
  const now = () => clock.now;
  const recordings = new RecordingService(store, { crypto, dir: join(dir, 'rec') });
  const retention = new RecordingRetention(store, { recordings, bus, logger: createLogger('test'), now });
  const holds = new LegalHolds(store, { bus, recordings, now, contactOwner: async () => 'cust-9' });
  recordings.addPurgeGuard((r) => holds.reasonToKeep(r));
  const signer = await ephemeralSigner();
  const exports = new RecordingExports(store, { recordings, holds, signer: () => signer, now });
  const sodium = await loadStreamSodium();
  /** A finished call `daysAgo` old with 2 s of customer audio, linked as given. */
  const call = async (daysAgo: number, link: Parameters<RecordingService['link']>[1] = {}) => {
    const id = randomUUID();
    await recordings.begin(id, clock.now - daysAgo * DAY);
    const leg = await recordings.legStream(id, 'customer');
    const w = new RecordingStreamWriter(leg.path, sodium, {
      key: Buffer.from(leg.key, 'base64'),
      header: { v: 1, callId: id, leg: 'customer', codec: 'pcmu', rate: 8000, startedAt: 'x' },
    });
    for (let i = 0; i < 100; i++) w.append(i * 160, Buffer.alloc(160, (i * 7) & 0x7f));
    w.finish();
    await recordings.finish(id, { customer: w.chunks });
    await recordings.link(id, link);
    return { id, file: leg.path };
  };
  const close = async () => {
    await store.close();
    crypto.close();
    bus.close();
  };
  return { clock, recordings, retention, holds, exports, signer, events, call, close };
}

const admin = { userId: 'admin-1', source: '127.0.0.1' };

test('the purge keeps recordings held on the call, its contact or its customer (one purge_held record per pass), and removes them once released', async () => {
  const t = await setup();
  try {
    const byCall = await t.call(200);
    const byContact = await t.call(200, { contactId: 'contact-7' });
    const byCustomer = await t.call(200, { customerId: 'cust-3' });
    const free = await t.call(200);
    const h1 = await t.holds.create(
      { kind: 'recording', targetId: byCall.id, reason: 'Complaint 118' },
      admin,
    );
    const h2 = await t.holds.create(
      { kind: 'contact', targetId: 'contact-7', reason: 'Regulator inquiry' },
      admin,
    );
    const h3 = await t.holds.create(
      { kind: 'customer', targetId: 'cust-3', reason: 'Litigation', caseRef: 'CASE-2026-4' },
      admin,
    );
    assert.equal(h2.customerId, 'cust-9', 'a contact hold names the contact’s customer');

    assert.equal(await t.retention.purge(), 1, 'only the recording under no hold goes');
    assert.equal(await t.recordings.index(free.id), undefined);
    for (const r of [byCall, byContact, byCustomer]) {
      assert.ok(await t.recordings.index(r.id), 'held index kept');
      assert.ok(existsSync(r.file), 'held audio kept');
    }
    await t.retention.purge();
    const held = t.events.filter((e) => e.type === 'recording.purge_held');
    assert.equal(held.length, 2, 'one record per pass, not one per recording');
    type Held = { count: number; kept: Array<{ callId: string; reasons: string[] }> };
    const kept = (held[0]?.data as Held | undefined)?.kept ?? [];
    assert.deepEqual(kept.map((k) => k.callId).sort(), [byCall.id, byContact.id, byCustomer.id].sort());
    assert.match(kept.find((k) => k.callId === byCall.id)?.reasons[0] ?? '', new RegExp(h1.id));

    assert.deepEqual(
      (await t.holds.blockingErasure('cust-3')).map((h) => h.id),
      [h3.id],
      'a held customer cannot be erased',
    );
    assert.deepEqual(
      (await t.holds.blockingErasure('cust-9')).map((h) => h.id),
      [h2.id],
    );

    await t.holds.release(h1.id, 'Complaint closed', admin);
    await t.holds.release(h2.id, 'Inquiry closed', admin);
    await assert.rejects(t.holds.release(h2.id, 'again', admin), { code: 'VOICE_HOLD_RELEASED' });
    assert.equal(await t.retention.purge(), 2);
    assert.equal(await t.recordings.index(byCall.id), undefined);
    assert.equal(existsSync(dirname(byCall.file)), false, 'files go with the index');
    assert.ok(await t.recordings.index(byCustomer.id), 'still held');
    const types = t.events.map((e) => e.type);
    assert.ok(types.includes('recording.hold_created') && types.includes('recording.hold_released'));
    const created = t.events.find((e) => e.type === 'recording.hold_created');
    assert.equal(created?.actor, 'admin-1');
  } finally {
    await t.close();
  }
});

test('a hold needs a reason and an existing recording; VOICE_HOLD_INVALID / VOICE_RECORDING_NOT_FOUND otherwise', async () => {
  const t = await setup();
  try {
    const r = await t.call(1);
    await assert.rejects(t.holds.create({ kind: 'recording', targetId: r.id, reason: '  ' }, admin), {
      code: 'VOICE_HOLD_INVALID',
    });
    await assert.rejects(t.holds.create({ kind: 'recording', targetId: r.id, reason: 5 }, admin), {
      code: 'VOICE_HOLD_INVALID',
    });
    await assert.rejects(t.holds.create({ kind: 'recording', targetId: randomUUID(), reason: 'x' }, admin), {
      code: 'VOICE_RECORDING_NOT_FOUND',
    });
    await assert.rejects(t.holds.create({ kind: 'customer', targetId: '../x', reason: 'x' }, admin), {
      code: 'VOICE_HOLD_INVALID',
    });
    await assert.rejects(t.holds.release('nope', 'x', admin), { code: 'VOICE_HOLD_NOT_FOUND' });
  } finally {
    await t.close();
  }
});

test('retention per queue class: a complaints call outlives the default and goes after its class’s days', async () => {
  const t = await setup();
  try {
    await t.retention.setPolicy(
      { days: 30, classes: { complaints: 365 }, queueClasses: { complaints: 'complaints' } },
      admin,
    );
    assert.equal(await t.retention.classFor('complaints'), 'complaints');
    const complaint = await t.call(100, { queue: 'complaints', class: 'complaints' });
    // Linked before its queue had a class: the queue's class applies now.
    const lateClassed = await t.call(100, { queue: 'complaints' });
    const sales = await t.call(100, { queue: 'sales' });
    assert.equal(await t.retention.purge(), 1);
    assert.equal(await t.recordings.index(sales.id), undefined);
    assert.equal((await t.recordings.summary(complaint.id))?.class, 'complaints');
    assert.ok(await t.recordings.index(lateClassed.id));
    t.clock.now += 266 * DAY;
    assert.equal(await t.retention.purge(), 2);
    await assert.rejects(
      t.retention.setPolicy({ days: 30, classes: {}, queueClasses: { q: 'gold' } }, admin),
      { code: 'VOICE_INVALID_RETENTION' },
    );
    await assert.rejects(t.retention.setPolicy({ days: 30, classes: { Bad: 10 }, queueClasses: {} }, admin), {
      code: 'VOICE_INVALID_RETENTION',
    });
    const changed = t.events.find((e) => e.type === 'recording.retention_changed');
    assert.deepEqual((changed?.data as { classes: object } | undefined)?.classes, { complaints: 365 });
    assert.equal(changed?.actor, 'admin-1');
  } finally {
    await t.close();
  }
});

test('an export verifies offline against the audit key; a changed WAV byte, a changed manifest or another key fail', async () => {
  const t = await setup();
  try {
    const r = await t.call(3, { queue: 'sales', contactId: 'contact-1', customerId: 'cust-1' });
    const hold = await t.holds.create(
      { kind: 'recording', targetId: r.id, reason: 'Dispute', caseRef: 'C-1' },
      admin,
    );
    await assert.rejects(t.exports.export(r.id, { reason: '', actor: admin }), {
      code: 'VOICE_EXPORT_INVALID',
    });
    const first = await t.exports.export(r.id, { reason: 'For the regulator', actor: admin });
    t.clock.now += 60_000;
    const out = await t.exports.export(r.id, { reason: 'For the court', actor: { userId: 'comp-2' } });
    const ok = verifyRecordingExport(out.tar, { publicKey: t.signer.publicKey });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.ok, true);
    const m = ok.manifest;
    assert.equal(m?.callId, r.id);
    assert.equal(m?.reason, 'For the court');
    assert.deepEqual(m?.exportedBy, { userId: 'comp-2' });
    assert.deepEqual(
      m?.custody.map((c) => [c.what, c.by, c.reason]),
      [
        ['hold_created', 'admin-1', 'Dispute'],
        ['exported', 'admin-1', 'For the regulator'],
      ],
    );
    assert.equal(m?.custody[0]?.holdId, hold.id);
    assert.equal(first.manifest.custody.length, 1, 'the first export has only the hold before it');
    const files = readTar(out.tar);
    const wav = files.get(`call-${r.id}.wav`);
    assert.ok(wav && wav.length > 44 + 100 * 160 * 4 - 1, 'the stereo WAV with the audio');

    // One WAV sample changed inside the archive.
    const bad = Buffer.from(out.tar);
    const at = bad.indexOf(wav.subarray(0, 44)) + 1000;
    bad[at] = (bad[at] ?? 0) ^ 0xff;
    const v1 = verifyRecordingExport(bad, { publicKey: t.signer.publicKey });
    assert.equal(v1.ok, false);
    assert.deepEqual(v1.problems, [`call-${r.id}.wav does not match its SHA-256 in the manifest`]);

    // The manifest's reason rewritten (and the tar rebuilt): the signature no longer verifies.
    const forged = JSON.parse((files.get('manifest.json') as Buffer).toString()) as { reason: string };
    forged.reason = 'Routine';
    const rebuilt = writeTar(
      [
        { name: 'manifest.json', data: Buffer.from(JSON.stringify(forged)) },
        { name: `call-${r.id}.wav`, data: wav },
      ],
      0,
    );
    assert.deepEqual(verifyRecordingExport(rebuilt, { publicKey: t.signer.publicKey }).problems, [
      'manifest signature does not verify',
    ]);
    // Signed by some other key than the appliance's.
    const other = await ephemeralSigner();
    assert.equal(verifyRecordingExport(out.tar, { publicKey: other.publicKey }).ok, false);
    assert.equal(verifyRecordingExport(Buffer.from('not a tar')).ok, false);
  } finally {
    await t.close();
  }
});
