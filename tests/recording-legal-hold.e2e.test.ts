// Legal hold on a recording (issue 15), end to end on a real appliance: two real sipp trunk
// calls are recorded, queued (the queue gives them their retention class) and linked to
// their customer; a hold on one keeps it through the appliance's own retention purge run
// 200 days later (the restarted appliance's wall clock runs ahead, tests/support/shifted-clock.mjs)
// and refuses the customer's crypto-shredding, both audited; an export of it verifies offline
// against the appliance's audit key and fails once a byte of its WAV changes; an agent gets
// 403; released, the next purge removes it and the customer can be erased.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { auditCommand } from '../appliance/src/cli/audit.ts';
import { recordingsCommand } from '../appliance/src/cli/recordings.ts';
import { base32Decode, totp } from '../appliance/src/identity/index.ts';
import { readTar, verifyRecordingExport } from '../appliance/src/voice/recording/export-verify.ts';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { ADMIN_PASSWORD, bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';
import { INBOUND_FLOW, makeAudio, routeAllTo, sippCall } from './voice-support/e2e.ts';

const DAYS_LATER = 200;
const OFFSET_MS = DAYS_LATER * 86_400_000;
let app: RunningAppliance | undefined;
let admin: ApiClient;
let secret: string;
let data: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };

async function boot(offsetMs = 0): Promise<RunningAppliance> {
  app = await startAppliance(data.dir, {
    env: {
      BRANCHLINE_HTTPS: 'off',
      BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1',
      ...(offsetMs
        ? {
            NODE_OPTIONS: `--import ${pathToFileURL(path.join(ROOT, 'tests/support/shifted-clock.mjs')).href}`,
            BL_TEST_CLOCK_OFFSET_MS: String(offsetMs),
          }
        : {}),
    },
  });
  return app;
}

before(async () => {
  data = await tempDataDir('bl-hold-');
  work = await tempDataDir('bl-hold-work-');
  await makeAudio(work.dir);
  await boot();
  ({ admin, secret } = await bootstrapAdmin(app as RunningAppliance));
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
});
after(async () => {
  await app?.stop();
  await data?.cleanup();
  await work?.cleanup();
});

interface Row {
  callId: string;
  status: string;
  customerId?: string;
  class: string;
  holds: string[];
}
const rows = async (client: ApiClient) => {
  const r = await client.request('GET', '/api/voice/recordings?limit=50');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json['recordings'] as Row[];
};
const legFile = (callId: string) => path.join(data.dir, 'recordings', callId, 'customer.blrec');

/** POST …/export as `client`, read as bytes (the JSON client would mangle a tar). */
async function exportTar(client: ApiClient, callId: string, reason?: string) {
  const res = await fetch(`${client.base}/api/voice/recordings/${callId}/export`, {
    method: 'POST',
    headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'application/json' },
    body: JSON.stringify(reason === undefined ? {} : { reason }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

test('a held recording survives the retention purge and its customer’s erasure (both audited), exports with a verifiable signed manifest, and goes once released', {
  timeout: 240_000,
}, async () => {
  // Calls to the sales queue get class "sales" (190 days): past it 200 days later.
  const policy = await admin.request('PUT', '/api/voice/recordings-retention/policy', {
    days: 180,
    classes: { sales: 190 },
    queueClasses: { sales: 'sales' },
  });
  assert.equal(policy.status, 200, JSON.stringify(policy.json));
  const status = await admin.request('GET', '/api/voice/status');
  const sipPort = status.json['sip'].port as number;
  // Two real trunk calls (same caller-ID, so one customer), pressing 1 into the sales queue
  // (sippCall rejects when sipp fails).
  await Promise.all([sippCall(sipPort, work.dir), sippCall(sipPort, work.dir)]);
  const [held, other] = await until(
    'both recordings complete and linked to their customer',
    async () => {
      const done = (await rows(admin)).filter((r) => r.status === 'complete' && r.customerId);
      return done.length === 2 ? done : undefined;
    },
    { timeoutMs: 20_000, everyMs: 200 },
  );
  assert.ok(held && other);
  assert.equal(held.class, 'sales', 'the class comes from the queue');
  const customerId = held.customerId as string;

  // An agent may neither hold nor export.
  const { client: agent } = await createSignedInUser(admin, 'agent1', ['agent'], 'agent password 123456');
  assert.equal(
    (
      await agent.request('POST', '/api/voice/holds', {
        kind: 'recording',
        targetId: held.callId,
        reason: 'x',
      })
    ).status,
    403,
  );
  assert.equal((await agent.request('GET', '/api/voice/holds')).status, 403);
  assert.equal((await exportTar(agent, held.callId, 'curious')).status, 403);

  // A hold needs a reason.
  const noReason = await admin.request('POST', '/api/voice/holds', {
    kind: 'recording',
    targetId: held.callId,
  });
  assert.equal(noReason.status, 400);
  assert.equal(noReason.json['error']['code'], 'VOICE_HOLD_INVALID');
  const placed = await admin.request('POST', '/api/voice/holds', {
    kind: 'recording',
    targetId: held.callId,
    reason: 'Customer complaint under investigation',
    caseRef: 'CASE-2026-118',
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.json));
  const holdId = placed.json['id'] as string;
  assert.equal(placed.json['customerId'], customerId);
  const listed = await rows(admin);
  assert.deepEqual(listed.find((r) => r.callId === held.callId)?.holds, [holdId]);
  assert.deepEqual(listed.find((r) => r.callId === other.callId)?.holds, []);

  // Crypto-shredding the held recording's customer is refused, naming the hold.
  const shred = await admin.request('DELETE', `/api/customers/${customerId}`);
  assert.equal(shred.status, 409);
  assert.equal(shred.json['error']['code'], 'CUSTOMERS_LEGAL_HOLD');
  assert.equal(shred.json['error']['details']['holds'][0]['holdId'], holdId);

  // Export: a reason is required; the tar's manifest verifies against the audit key.
  const refused = await exportTar(admin, held.callId);
  assert.equal(refused.status, 400);
  const exp = await exportTar(admin, held.callId, 'Requested by the regulator, letter 2026-44');
  assert.equal(exp.status, 200);
  assert.equal(exp.type, 'application/x-tar');
  const publicKey = (await readFile(path.join(data.dir, 'keys', 'audit-signing.pub'), 'utf8')).trim();
  const verdict = verifyRecordingExport(exp.body, { publicKey });
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.manifest?.callId, held.callId);
  assert.equal(verdict.manifest?.reason, 'Requested by the regulator, letter 2026-44');
  assert.deepEqual(
    verdict.manifest?.custody.map((c) => [c.what, c.holdId, c.caseRef]),
    [['hold_created', holdId, 'CASE-2026-118']],
  );
  const wav = readTar(exp.body).get(`call-${held.callId}.wav`) as Buffer;
  assert.ok(wav.length > 8000 * 4 * 5, `seconds of stereo audio (${wav.length} bytes)`);
  const tampered = Buffer.from(exp.body);
  // The WAV's RIFF header is unique in the tar: one sample 20,000 bytes into the audio is flipped.
  const at = tampered.indexOf(wav.subarray(0, 44)) + 20_000;
  tampered[at] = (tampered[at] ?? 0) ^ 0x01;
  assert.deepEqual(verifyRecordingExport(tampered, { publicKey }).problems, [
    `call-${held.callId}.wav does not match its SHA-256 in the manifest`,
  ]);
  // The operator's command says the same (key from the data directory's audit-signing.pub).
  const lines: string[] = [];
  const cli = {
    dataDir: data.dir,
    out: (l: string) => void lines.push(l),
    err: (l: string) => void lines.push(l),
  };
  await writeFile(path.join(work.dir, 'good.tar'), exp.body);
  await writeFile(path.join(work.dir, 'bad.tar'), tampered);
  assert.equal(
    await recordingsCommand(['verify-export', path.join(work.dir, 'good.tar')], cli),
    0,
    lines.join('\n'),
  );
  assert.equal(await recordingsCommand(['verify-export', path.join(work.dir, 'bad.tar')], cli), 1);
  assert.match(lines.join('\n'), /FAILED: call-.*\.wav does not match/);

  // 200 days later: the appliance's own purge keeps the held recording and removes the other.
  await (app as RunningAppliance).stop();
  await boot(OFFSET_MS);
  admin = new ApiClient((app as RunningAppliance).base);
  const login = await admin.login(
    'admin',
    ADMIN_PASSWORD,
    totp(base32Decode(secret), Date.now() + OFFSET_MS),
  );
  assert.equal(login.status, 200, JSON.stringify(login.json));
  const pass = await admin.request('POST', '/api/voice/recordings-retention/run');
  assert.equal(pass.status, 200);
  assert.deepEqual(pass.json['kept'], [{ callId: held.callId, reasons: [`legal hold ${holdId}`] }]);
  assert.equal((await admin.request('GET', `/api/voice/recordings/${other.callId}`)).status, 404);
  assert.equal(existsSync(legFile(other.callId)), false);
  const kept = await admin.request('GET', `/api/voice/recordings/${held.callId}`);
  assert.equal(kept.status, 200);
  assert.ok(kept.json['legDetails']['customer']['samples'] > 8000 * 5, 'the held audio still decrypts');
  assert.equal((await admin.request('DELETE', `/api/customers/${customerId}`)).status, 409);

  // Released (with a reason): the next purge removes it, and the customer can be erased.
  const bare = await admin.request('POST', `/api/voice/holds/${holdId}/release`, {});
  assert.equal(bare.json['error']['code'], 'VOICE_HOLD_INVALID');
  const released = await admin.request('POST', `/api/voice/holds/${holdId}/release`, {
    reason: 'Complaint closed',
  });
  assert.equal(released.status, 200);
  assert.equal(released.json['status'], 'released');
  const pass2 = await admin.request('POST', '/api/voice/recordings-retention/run');
  assert.deepEqual(pass2.json, { purged: 1, kept: [] });
  assert.equal((await admin.request('GET', `/api/voice/recordings/${held.callId}`)).status, 404);
  assert.equal(existsSync(legFile(held.callId)), false);
  assert.equal((await admin.request('DELETE', `/api/customers/${customerId}`)).status, 204);

  // The trail, read from the stopped appliance's audit log (and the chain still verifies).
  await (app as RunningAppliance).stop();
  app = undefined;
  const out = path.join(work.dir, 'audit.jsonl');
  const said: string[] = [];
  const io = {
    dataDir: data.dir,
    out: (s: string) => void said.push(s),
    err: (s: string) => void said.push(s),
  };
  assert.equal(await auditCommand(['export', '--format', 'jsonl', '--out', out], io), 0, said.join('\n'));
  assert.equal(await auditCommand(['verify'], io), 0, said.join('\n'));
  const records = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; actor: string; target?: string; details?: object });
  const of = (action: string) => records.filter((r) => r.action === action);
  const adminId = of('recording.hold_created')[0]?.actor;
  assert.ok(adminId && adminId !== 'system', 'the hold names who placed it');
  assert.match(JSON.stringify(of('recording.hold_created')), /CASE-2026-118/);
  assert.equal(of('customer.erasure_refused').length, 2, 'both refused erasures');
  assert.ok(of('customer.erasure_refused').every((r) => JSON.stringify(r).includes(holdId)));
  const heldPasses = of('recording.purge_held');
  assert.ok(heldPasses.length >= 1 && heldPasses.every((r) => JSON.stringify(r).includes(held.callId)));
  assert.equal(of('recording.exported').length, 1, 'the export is an audited read');
  assert.match(JSON.stringify(of('recording.exported')), /letter 2026-44/);
  assert.equal(of('recording.hold_released').length, 1);
  assert.ok(of('recording.purged').length >= 2);
  assert.equal(of('customer.shredded').length, 1);
});
