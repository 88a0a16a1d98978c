// Off-box archive of encrypted recordings to HQ before the branch purges them (issue 15):
// a real appliance takes real sipp trunk calls and archives their encrypted leg files to the
// real embedded HQ (auth on) through a FaultProxy standing in for the WAN. The purge runs in
// this process over the stopped appliance's own stores (a fresh recording is days short of
// any retention, and the purge takes its clock as an argument).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EventBus } from '../appliance/src/events/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { openCrypto, openPouchStore } from '../appliance/src/storage/index.ts';
import { RecordingArchiver, RecordingService } from '../appliance/src/voice/index.ts';
import { loadStreamSodium } from '../appliance/src/voice/recording/sodium.ts';
import { readRecordingStream } from '../appliance/src/voice/recording/stream.ts';
import {
  defaultPolicy,
  FaultProxy,
  HqConsole,
  type HqCouch,
  openHqSealed,
  signPolicy,
  startHqCouch,
} from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { until, untilTrue } from './support/until.ts';
import { INBOUND_FLOW, makeAudio, routeAllTo, sippCall } from './voice-support/e2e.ts';

const BRANCH = 'R1';
const CHUNK = 4096;
let hqDir: string;
let hq: HqCouch;
let con: HqConsole;
let proxy: FaultProxy;
let app: RunningAppliance | undefined;
let ops: ApiClient | undefined;
const OPS_PASSWORD = 'arc ops password 1';
let data: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let own: { username: string; password: string };
let other: { username: string; password: string };
const seen = new Set<string>();

const bundle = (b: string) =>
  JSON.parse(readFileSync(path.join(hqDir, 'enrolment', `${b}.json`), 'utf8')) as {
    username: string;
    password: string;
  };

/** Starts the appliance on the same data dir (new ports) and signs the operator in again. */
async function boot(): Promise<void> {
  app = await startAppliance(data.dir, {
    env: {
      BRANCHLINE_HQ_URL: proxy.url,
      BRANCHLINE_BRANCH_ID: BRANCH,
      BRANCHLINE_HQ_CREDENTIALS_FILE: path.join(hqDir, 'enrolment', `${BRANCH}.json`),
      BRANCHLINE_HTTPS: 'off',
      BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1',
      BRANCHLINE_ARCHIVE_CHUNK_BYTES: String(CHUNK),
      BRANCHLINE_ARCHIVE_INTERVAL_SECONDS: '1',
    },
  });
  if (!ops) return; // first start: the operator does not exist yet
  ops = new ApiClient(app.base);
  assert.equal((await ops.login('arc.ops', OPS_PASSWORD)).status, 200);
}

before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-arc-'));
  hq = await startHqCouch({ dataDir: hqDir, auth: true });
  con = new HqConsole(hq, hqDir);
  await con.enrolBranch(BRANCH);
  await con.enrolBranch('R2');
  own = bundle(BRANCH);
  other = bundle('R2');
  // HQ's policy for R1: recordings are archived before the branch purges them.
  const policy = defaultPolicy();
  policy.version = 2;
  policy.classes.recordings = { fields: {}, archive: 'archive-before-purge' };
  await con.issuePolicy(BRANCH, signPolicy(policy, (await con.keys()).control));
  proxy = await FaultProxy.start({ port: hq.port });
  data = await tempDataDir('bl-arc-');
  work = await tempDataDir('bl-arc-work-');
  await makeAudio(work.dir);
  await boot();
  const { admin } = await bootstrapAdmin(app as RunningAppliance);
  // One operator without MFA (no built-in privileged role), signed in again after each restart.
  const role = await admin.request('POST', '/api/roles', {
    id: 'arc-ops',
    description: 'reads recordings, the SIP status and the audit trail',
    permissions: ['audit.read', 'contacts.monitor', 'system.manage'],
  });
  assert.equal(role.status, 201);
  ops = (await createSignedInUser(admin, 'arc.ops', ['arc-ops'], OPS_PASSWORD)).client;
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
});
after(async () => {
  await app?.stop();
  await proxy?.close();
  await con?.close();
  await hq?.close();
  await data?.cleanup();
  await work?.cleanup();
  if (hqDir) await rm(hqDir, { recursive: true, force: true });
});

const running = () => app as RunningAppliance;
const sha256 = async (p: string) =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');
const legFile = (callId: string) => path.join(data.dir, 'recordings', callId, 'customer.blrec');

/** One 14 s sipp trunk call into the IVR; returns the new recording's call id once it is finished. */
async function recordedCall(): Promise<string> {
  const status = await (ops as ApiClient).request('GET', '/api/voice/status');
  assert.equal(status.status, 200);
  // Rejects when sipp fails.
  await sippCall(status.json['sip'].port as number, work.dir, 'trunk-call.xml');
  const callId = await until(
    'the call’s recording finished',
    async () => {
      const r = await (ops as ApiClient).request('GET', '/api/voice/recordings?limit=50');
      const rec = (r.json['recordings'] as Array<{ callId: string; status: string }>).find(
        (x) => !seen.has(x.callId) && x.status === 'complete',
      );
      return rec?.callId;
    },
    { timeoutMs: 20_000 },
  );
  seen.add(callId);
  return callId;
}

/** The branch audited `recording.archived` for the call (it marks it archived just before). */
async function archivedAudit(callId: string, timeoutMs = 30_000) {
  return until(
    `recording.archived audited for ${callId}`,
    async () => {
      const r = await (ops as ApiClient).request(
        'GET',
        '/api/audit?action=recording.archived&order=desc&limit=100',
      );
      assert.equal(r.status, 200);
      const recs = (r.json['records'] ?? []) as Array<Record<string, unknown>>;
      return recs.find((x) => JSON.stringify(x).includes(callId));
    },
    { timeoutMs, everyMs: 200 },
  );
}

/** The retention purge over the stopped appliance's stores, `days` past a 1-day retention; whether the recording survived. */
async function purgeSurvives(callId: string): Promise<boolean> {
  await running().stop();
  app = undefined;
  const crypto = await openCrypto(data.dir);
  const dbDir = path.join(data.dir, 'db');
  const recStore = await openPouchStore(dbDir, 'recordings', { revsLimit: 10 });
  const arcStore = await openPouchStore(dbDir, 'recording-archive', { revsLimit: 10 });
  try {
    const recordings = new RecordingService(recStore, { crypto, dir: path.join(data.dir, 'recordings') });
    const archiver = new RecordingArchiver(arcStore, {
      recordings,
      crypto,
      dir: path.join(data.dir, 'recordings'),
      target: {
        stored: async () => assert.fail('the purge guard does not talk to HQ'),
        put: async () => assert.fail('the purge guard does not talk to HQ'),
      },
      required: () => true,
      bus: new EventBus(),
      logger: createLogger('test'),
    });
    recordings.addPurgeGuard(archiver.guard);
    await recordings.purge(1, Date.now() + 3 * 86_400_000);
    const index = await recordings.index(callId);
    const file = await stat(legFile(callId)).catch(() => undefined);
    assert.equal(index !== undefined, file !== undefined, 'index and files go together');
    return index !== undefined;
  } finally {
    await recStore.close();
    await arcStore.close();
    crypto.close();
  }
}

test('policy on: a finished recording reaches HQ encrypted, HQ’s SHA-256 equals the branch file’s, HQ opens it with its own key, then the purge removes it at the branch', {
  timeout: 120_000,
}, async () => {
  const callId = await recordedCall();
  const branchHash = await sha256(legFile(callId));
  const size = (await stat(legFile(callId))).size;
  assert.ok(size > 10 * CHUNK, `a recording of several chunks (${size} bytes)`);
  const audited = await archivedAudit(callId);
  const held = await hq.archive.file(BRANCH, callId, 'customer.blrec');
  assert.deepEqual(held, { size, sha256: branchHash });
  assert.ok(JSON.stringify(audited).includes(branchHash), 'the audit record carries the hash');
  // HQ stored ciphertext: the file it holds is the branch's sealed stream, byte for byte…
  const stored = await readFile(path.join(hqDir, 'archive', BRANCH, callId, 'customer.blrec'));
  assert.ok(stored.equals(await readFile(legFile(callId))));
  // …and only HQ's sealing key opens the leg key in the manifest, which then decrypts the stream.
  const manifest = JSON.parse(
    await readFile(path.join(hqDir, 'archive', BRANCH, callId, 'manifest.json'), 'utf8'),
  ) as { keySealedTo: string; legs: Record<string, { key: string; sha256: string }> };
  assert.equal(manifest.keySealedTo, 'hq');
  assert.equal(manifest.legs['customer']?.sha256, branchHash);
  const key = await openHqSealed((await con.keys()).seal.privateKey, manifest.legs['customer']?.key ?? '', {
    db: 'recordings',
    docId: `rec:${callId}`,
    field: 'customer',
  });
  const decoded = readRecordingStream(
    path.join(hqDir, 'archive', BRANCH, callId, 'customer.blrec'),
    await loadStreamSodium(),
    Buffer.from(key, 'base64'),
  );
  assert.equal(decoded.truncated, false);
  assert.ok(decoded.ulaw.length > 8000 * 5, 'seconds of audio');

  assert.equal(await purgeSurvives(callId), false, 'archived and verified: the purge removes it');
  await boot();
});

test('HQ unreachable: the purge keeps an unarchived recording, and the archive completes once HQ is back', {
  timeout: 150_000,
}, async () => {
  proxy.cut();
  const callId = await recordedCall();
  // A few failed passes (each resets at the proxy), then the appliance goes down with nothing archived.
  await untilTrue(
    'the archive failing and alarmed',
    async () => {
      const r = await (ops as ApiClient).request(
        'GET',
        '/api/audit?action=system.alarm_raised&order=desc&limit=100',
      );
      assert.equal(r.status, 200);
      return JSON.stringify(r.json['records'] ?? []).includes('recording.archive_failing');
    },
    { timeoutMs: 30_000, everyMs: 250 },
  );
  assert.equal(await hq.archive.file(BRANCH, callId, 'customer.blrec'), undefined);
  assert.equal(await purgeSurvives(callId), true, 'not archived: the guard keeps it');
  await boot();
  proxy.heal();
  await archivedAudit(callId, 60_000);
  assert.deepEqual(await hq.archive.file(BRANCH, callId, 'customer.blrec'), {
    size: (await stat(legFile(callId))).size,
    sha256: await sha256(legFile(callId)),
  });
  assert.equal(await purgeSurvives(callId), false);
  await boot();
});

test('SIGKILL mid-upload: after the restart the upload resumes without re-sending an acknowledged chunk, and the hashes match', {
  timeout: 150_000,
}, async () => {
  // A slow WAN (60 ms each way) so the upload of ~30 chunks takes seconds.
  proxy.delayMs = 60;
  const before = hq.archive.counts(BRANCH);
  const callId = await recordedCall();
  const size = (await stat(legFile(callId))).size;
  await untilTrue(
    'several chunks stored at HQ',
    () => hq.archive.counts(BRANCH).appended - before.appended >= 5,
    { timeoutMs: 30_000, everyMs: 10 },
  );
  await running().kill('SIGKILL');
  app = undefined;
  const atKill = await hq.archive.file(BRANCH, callId, 'customer.blrec');
  assert.ok(atKill && atKill.size < size, `killed mid-upload (${atKill?.size} of ${size} bytes at HQ)`);
  proxy.delayMs = 0;
  await boot();
  await archivedAudit(callId, 60_000);
  const after = hq.archive.counts(BRANCH);
  assert.equal(after.repeated, before.repeated, 'no chunk HQ had acknowledged was sent again');
  assert.equal(
    after.appended - before.appended,
    Math.ceil(size / CHUNK) + 1,
    'each chunk of the leg once, plus the manifest',
  );
  assert.deepEqual(await hq.archive.file(BRANCH, callId, 'customer.blrec'), {
    size,
    sha256: await sha256(legFile(callId)),
  });
});

test('another branch’s credentials can neither write nor read this branch’s archive', async () => {
  const [callId] = [...seen];
  assert.ok(callId);
  const basic = (c: { username: string; password: string }) =>
    `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  const at = (p: string) => `${hq.url}/_archive/${p}`;
  const before = await hq.archive.file(BRANCH, callId, 'customer.blrec');
  const put = (p: string, auth?: string) =>
    fetch(at(p), { method: 'PUT', body: Buffer.from('junk'), headers: auth ? { authorization: auth } : {} });
  const get = (p: string, auth?: string) => fetch(at(p), { headers: auth ? { authorization: auth } : {} });
  assert.equal((await put(`${BRANCH}/${callId}/customer.blrec?offset=0`, basic(other))).status, 403);
  assert.equal((await put(`${BRANCH}/new-call/customer.blrec?offset=0`, basic(other))).status, 403);
  assert.equal((await get(`${BRANCH}/${callId}/customer.blrec`, basic(other))).status, 403);
  assert.equal((await get(BRANCH, basic(other))).status, 403);
  assert.equal((await get(`${BRANCH}/${callId}/customer.blrec`)).status, 401);
  assert.equal(
    (await get(`${BRANCH}/${callId}/customer.blrec`, basic({ ...own, password: 'wrong' }))).status,
    401,
  );
  // The owner reads its own; R2 writes its own; bad names and offsets are refused with a reason.
  assert.equal((await get(`${BRANCH}/${callId}/customer.blrec`, basic(own))).status, 200);
  const listing = await get(BRANCH, basic(own));
  assert.equal(listing.status, 200);
  assert.ok(JSON.stringify(await listing.json()).includes(callId));
  assert.equal((await put(`R2/c1/customer.blrec?offset=0`, basic(other))).status, 200);
  assert.equal((await put(`R2/c1/customer.blrec?offset=99`, basic(other))).status, 409);
  assert.equal((await put(`R2/c1/..%2Fx.blrec?offset=0`, basic(other))).status, 400);
  assert.equal((await put(`R2/c1/customer.blrec?offset=-1`, basic(other))).status, 400);
  assert.deepEqual(await hq.archive.file(BRANCH, callId, 'customer.blrec'), before, 'unchanged');
});
