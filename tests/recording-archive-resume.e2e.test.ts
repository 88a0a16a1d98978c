// Off-box recording archive (issue 15): the appliance is SIGKILLed mid-upload over a slow
// WAN; after the restart the upload resumes from what HQ acknowledged — HQ counts every chunk.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ArchiveRig, BRANCH, CHUNK } from './support/recording-archive-rig.ts';
import { untilTrue } from './support/until.ts';

const rig = new ArchiveRig();
before(() => rig.start());
after(() => rig.close());

test('SIGKILL mid-upload: after the restart the upload resumes without re-sending an acknowledged chunk, and the hashes match', {
  timeout: 150_000,
}, async () => {
  // A slow WAN (60 ms each way) so the upload of ~30 chunks takes seconds.
  rig.proxy.delayMs = 60;
  const counted = rig.hq.archive.counts(BRANCH);
  const callId = await rig.recordedCall();
  const size = (await stat(rig.legFile(callId))).size;
  await untilTrue(
    'several chunks stored at HQ',
    () => rig.hq.archive.counts(BRANCH).appended - counted.appended >= 5,
    { timeoutMs: 30_000, everyMs: 10 },
  );
  await rig.running.kill('SIGKILL');
  rig.app = undefined;
  const atKill = await rig.hq.archive.file(BRANCH, callId, 'customer.blrec');
  assert.ok(atKill && atKill.size < size, `killed mid-upload (${atKill?.size} of ${size} bytes at HQ)`);
  rig.proxy.delayMs = 0;
  await rig.boot();
  await rig.archivedAudit(callId, 60_000);
  const now = rig.hq.archive.counts(BRANCH);
  assert.equal(now.repeated, counted.repeated, 'no chunk HQ had acknowledged was sent again');
  assert.equal(
    now.appended - counted.appended,
    Math.ceil(size / CHUNK) + 1,
    'each chunk of the leg once, plus the manifest',
  );
  assert.deepEqual(await rig.hq.archive.file(BRANCH, callId, 'customer.blrec'), {
    size,
    sha256: await rig.sha256(rig.legFile(callId)),
  });
});
