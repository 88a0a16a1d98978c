// Off-box archive of encrypted recordings to HQ before the branch purges them (issue 15):
// a real appliance takes real sipp trunk calls and archives their encrypted leg files to the
// real embedded HQ (auth on) through a FaultProxy standing in for the WAN. The purge is the
// appliance's own retention pass, run 200 days later (restarted with its wall clock ahead).
// The resume after a SIGKILL is in recording-archive-resume.e2e.test.ts.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { readRecordingStream } from '../appliance/src/voice/recording/stream.ts';
import { openHqSealed } from '../sync/src/index.ts';
import { ArchiveRig, BRANCH, CHUNK } from './support/recording-archive-rig.ts';
import { untilTrue } from './support/until.ts';

const rig = new ArchiveRig();
before(() => rig.start());
after(() => rig.close());

test('policy on: a finished recording reaches HQ encrypted, HQ’s SHA-256 equals the branch file’s, HQ opens it with its own key, then the purge removes it at the branch', {
  timeout: 120_000,
}, async () => {
  const callId = await rig.recordedCall();
  const branchHash = await rig.sha256(rig.legFile(callId));
  const size = (await stat(rig.legFile(callId))).size;
  assert.ok(size > 10 * CHUNK, `a recording of several chunks (${size} bytes)`);
  const audited = await rig.archivedAudit(callId);
  const held = await rig.hq.archive.file(BRANCH, callId, 'customer.blrec');
  assert.deepEqual(held, { size, sha256: branchHash });
  assert.ok(JSON.stringify(audited).includes(branchHash), 'the audit record carries the hash');
  // HQ stored ciphertext: the file it holds is the branch's sealed stream, byte for byte…
  const stored = await readFile(path.join(rig.hqDir, 'archive', BRANCH, callId, 'customer.blrec'));
  assert.ok(stored.equals(await readFile(rig.legFile(callId))));
  // …and only HQ's sealing key opens the leg key in the manifest, which then decrypts the stream.
  const manifest = JSON.parse(
    await readFile(path.join(rig.hqDir, 'archive', BRANCH, callId, 'manifest.json'), 'utf8'),
  ) as { keySealedTo: string; legs: Record<string, { key: string; sha256: string }> };
  assert.equal(manifest.keySealedTo, 'hq');
  assert.equal(manifest.legs['customer']?.sha256, branchHash);
  const key = await openHqSealed(
    (await rig.con.keys()).seal.privateKey,
    manifest.legs['customer']?.key ?? '',
    {
      db: 'recordings',
      docId: `rec:${callId}`,
      field: 'customer',
    },
  );
  const decoded = readRecordingStream(
    path.join(rig.hqDir, 'archive', BRANCH, callId, 'customer.blrec'),
    await loadStreamSodium(),
    Buffer.from(key, 'base64'),
  );
  assert.equal(decoded.truncated, false);
  assert.ok(decoded.ulaw.length > 8000 * 5, 'seconds of audio');

  assert.equal(await rig.purgeKeeps(callId), undefined, 'archived and verified: the purge removes it');
});

test('HQ unreachable: the purge keeps an unarchived recording, and the archive completes once HQ is back', {
  timeout: 150_000,
}, async () => {
  rig.proxy.cut();
  const callId = await rig.recordedCall();
  // A few failed passes (each resets at the proxy), then the appliance goes down with nothing archived.
  await untilTrue(
    'the archive failing and alarmed',
    async () => {
      const r = await rig.client.request('GET', '/api/audit?action=system.alarm_raised&order=desc&limit=100');
      assert.equal(r.status, 200);
      return JSON.stringify(r.json['records'] ?? []).includes('recording.archive_failing');
    },
    { timeoutMs: 30_000, everyMs: 250 },
  );
  assert.equal(await rig.hq.archive.file(BRANCH, callId, 'customer.blrec'), undefined);
  assert.deepEqual(
    await rig.purgeKeeps(callId),
    ['not yet archived to HQ'],
    'not archived: the guard keeps it',
  );
  rig.proxy.heal();
  await rig.archivedAudit(callId, 60_000);
  assert.deepEqual(await rig.hq.archive.file(BRANCH, callId, 'customer.blrec'), {
    size: (await stat(rig.legFile(callId))).size,
    sha256: await rig.sha256(rig.legFile(callId)),
  });
  assert.equal(await rig.purgeKeeps(callId), undefined);
});

test('another branch’s credentials can neither write nor read this branch’s archive', async () => {
  const [callId] = [...rig.seen];
  assert.ok(callId);
  const basic = (c: { username: string; password: string }) =>
    `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  const at = (p: string) => `${rig.hq.url}/_archive/${p}`;
  const before = await rig.hq.archive.file(BRANCH, callId, 'customer.blrec');
  const put = (p: string, auth?: string) =>
    fetch(at(p), { method: 'PUT', body: Buffer.from('junk'), headers: auth ? { authorization: auth } : {} });
  const get = (p: string, auth?: string) => fetch(at(p), { headers: auth ? { authorization: auth } : {} });
  assert.equal((await put(`${BRANCH}/${callId}/customer.blrec?offset=0`, basic(rig.other))).status, 403);
  assert.equal((await put(`${BRANCH}/new-call/customer.blrec?offset=0`, basic(rig.other))).status, 403);
  assert.equal((await get(`${BRANCH}/${callId}/customer.blrec`, basic(rig.other))).status, 403);
  assert.equal((await get(BRANCH, basic(rig.other))).status, 403);
  assert.equal((await get(`${BRANCH}/${callId}/customer.blrec`)).status, 401);
  assert.equal(
    (await get(`${BRANCH}/${callId}/customer.blrec`, basic({ ...rig.own, password: 'wrong' }))).status,
    401,
  );
  // The owner reads its own; R2 writes its own; bad names and offsets are refused with a reason.
  assert.equal((await get(`${BRANCH}/${callId}/customer.blrec`, basic(rig.own))).status, 200);
  const listing = await get(BRANCH, basic(rig.own));
  assert.equal(listing.status, 200);
  assert.ok(JSON.stringify(await listing.json()).includes(callId));
  assert.equal((await put(`R2/c1/customer.blrec?offset=0`, basic(rig.other))).status, 200);
  assert.equal((await put(`R2/c1/customer.blrec?offset=99`, basic(rig.other))).status, 409);
  assert.equal((await put(`R2/c1/..%2Fx.blrec?offset=0`, basic(rig.other))).status, 400);
  assert.equal((await put(`R2/c1/customer.blrec?offset=-1`, basic(rig.other))).status, 400);
  assert.deepEqual(await rig.hq.archive.file(BRANCH, callId, 'customer.blrec'), before, 'unchanged');
});
