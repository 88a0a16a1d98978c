// Voice failure handling against the real appliance process: the media worker
// killed mid-call, then the whole appliance killed mid-call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { ADMIN_PASSWORD, bootstrapAdmin, totpCode } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { consoleSocket, makeAudio, pidAlive, sippSpawn, waitFor } from './voice-support/e2e.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let secret: string;
/** The TOTP step bootstrap used (+1); a later login needs a code from a newer step. */
let bootStep = 0;
const closers: Array<() => void> = [];
const ENV = { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1', BRANCHLINE_HTTPS: 'off' };

const HOLD = {
  id: 'inbound',
  name: 'Hold',
  language: 'en',
  start: 'menu',
  nodes: {
    menu: { type: 'menu', prompt: 'Please hold.', options: { '1': 'bye' }, default: 'bye', timeoutMs: 60000 },
    bye: { type: 'hangup' },
  },
};
const GOODBYE = {
  id: 'inbound',
  name: 'Goodbye',
  language: 'en',
  start: 'say',
  nodes: { say: { type: 'say', text: 'Goodbye.', next: 'bye' }, bye: { type: 'hangup' } },
};

before(async () => {
  tmp = await tempDataDir('bl-voice-rel-');
  work = await tempDataDir('bl-voice-relw-');
  app = await startAppliance(tmp.dir, { env: ENV });
  ({ admin, secret } = await bootstrapAdmin(app));
  bootStep = Math.floor(Date.now() / 30_000);
  await makeAudio(work.dir);
});
after(async () => {
  for (const c of closers) c();
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

async function status() {
  const r = await admin.request('GET', '/api/voice/status');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json as { sip: { port: number }; worker: { pid?: number; restarts: number }; calls: number };
}

async function callInIvr(): Promise<string> {
  return waitFor(async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<{ id: string; state: string }>).find((c) => c.state === 'ivr')?.id;
  }, 15_000);
}

async function recording(callId: string) {
  const r = await admin.request('GET', '/api/voice/recordings');
  return (r.json['recordings'] as Array<Record<string, unknown>>).find((x) => x['callId'] === callId);
}

test('killing the media worker mid-call sends the caller a BYE, raises an alarm, restarts the worker, and the next call works', {
  timeout: 90_000,
}, async () => {
  const socket = await consoleSocket(app.httpPort, admin);
  closers.push(socket.close);
  assert.equal((await admin.request('PUT', '/api/flows/inbound', { flow: HOLD })).status, 200);
  const before = await status();
  assert.ok(before.worker.pid);
  const sipp = await sippSpawn(before.sip.port, work.dir, 'trunk-call-server-bye.xml');
  closers.push(sipp.kill);
  const callId = await callInIvr();
  await new Promise((r) => setTimeout(r, 1000));
  process.kill(before.worker.pid, 'SIGKILL');
  assert.equal(await sipp.done, 0, 'sipp got the BYE and answered it');
  const alarm = await waitFor(() => socket.seen.find((m) => m.event?.type === 'system.alarm_raised')?.event);
  assert.equal(alarm.data['alarm'], 'voice.media_worker_died');
  const after = await waitFor(async () => {
    const s = await status();
    return s.worker.pid && s.worker.pid !== before.worker.pid && s.calls === 0 ? s : undefined;
  });
  assert.equal(after.worker.restarts, 1);
  assert.equal(after.calls, 0);
  assert.equal((await recording(callId))?.['truncated'], true, 'the cut-off recording says so');

  assert.equal((await admin.request('PUT', '/api/flows/inbound', { flow: GOODBYE })).status, 200);
  const next = await sippSpawn(after.sip.port, work.dir, 'trunk-call-server-bye.xml');
  closers.push(next.kill);
  assert.equal(await next.done, 0, 'a new call is answered, runs its flow and is hung up');
  const recs = (await admin.request('GET', '/api/voice/recordings')).json['recordings'] as Array<
    Record<string, unknown>
  >;
  const fresh = recs.find((r) => r['callId'] !== callId);
  assert.ok(fresh);
  assert.equal(fresh['truncated'], false);
  assert.equal(fresh['status'], 'complete');
});

test('a SIGKILLed appliance leaves its mid-call recording marked truncated after restart, never complete', {
  timeout: 120_000,
}, async () => {
  assert.equal((await admin.request('PUT', '/api/flows/inbound', { flow: HOLD })).status, 200);
  const s = await status();
  const sipp = await sippSpawn(s.sip.port, work.dir, 'trunk-call-server-bye.xml');
  closers.push(sipp.kill);
  const callId = await callInIvr();
  await new Promise((r) => setTimeout(r, 1500));
  await app.kill('SIGKILL');
  sipp.kill();
  const workerPid = s.worker.pid ?? 0;
  await waitFor(() => (pidAlive(workerPid) ? undefined : true), 5000);

  app = await startAppliance(tmp.dir, { env: ENV });
  admin = new ApiClient(app.base);
  while (Math.floor(Date.now() / 30_000) <= bootStep) await new Promise((r) => setTimeout(r, 500));
  assert.equal((await admin.login('admin', ADMIN_PASSWORD, totpCode(secret, 1))).status, 200);
  const rec = await recording(callId);
  assert.ok(rec);
  assert.equal(rec['status'], 'interrupted');
  assert.equal(rec['truncated'], true);
  const wav = await fetch(`${app.base}/api/voice/recordings/${callId}/wav`, {
    headers: { cookie: admin.cookie },
  });
  assert.equal(wav.status, 200);
  assert.equal(wav.headers.get('x-recording-truncated'), 'true');
  assert.ok((await wav.arrayBuffer()).byteLength > 44 + 8000, 'what was recorded is still playable');
  const meta = await admin.request('GET', `/api/voice/recordings/${callId}`);
  assert.equal(meta.json['truncated'], true);
});
