// Issue 14, first item, against the real appliance: three sipp trunk calls from three
// numbers press 1 in the IVR and queue; the agent's desk phone answers one, the others
// are abandoned. No call adds a synthetic "Voice call queued to …" customer message:
// the answered contact's QA has no text to judge (text rules "not applicable") and is
// scored from its recording's two channels only; topics count nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import {
  consoleSocket,
  INBOUND_FLOW,
  makeAudio,
  routeAllTo,
  TESTDATA,
  voiceAgentProfile,
} from './voice-support/e2e.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
const closers: Array<() => void> = [];
type Json = Record<string, unknown>;

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-voice-noph-');
  work = await tempDataDir('bl-voice-noph-work-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1', BRANCHLINE_HTTPS: 'off' },
  });
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  for (const c of closers) c();
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

/** The DTMF trunk call of voice.e2e, from `number` (three numbers → three customers, topics' k = 3). */
async function sippFrom(sipPort: number, number: string): Promise<number | null> {
  const xml = (await readFile(join(TESTDATA, 'trunk-call-dtmf.xml'), 'utf8')).replaceAll(
    '+8613800138000',
    number,
  );
  const scenario = join(work.dir, `call-${number}.xml`);
  await writeFile(scenario, xml);
  const [sippPort, mediaPort] = [await freePort(), await freePort()];
  const child = spawn(
    'sipp',
    [
      ...[`127.0.0.1:${sipPort}`, '-sf', scenario, '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(sippPort), '-mp', String(mediaPort), '-timeout', '90s', '-nostdin', '-timeout_error'],
    ],
    { cwd: work.dir, stdio: 'ignore' },
  );
  closers.push(() => child.kill('SIGKILL'));
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

test('queued calls add no synthetic customer message: the answered call is scored on acoustic rules only and topics count nothing', {
  timeout: 120_000,
}, async () => {
  await makeAudio(work.dir);
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  const sipPort = status.json['sip'].port as number;
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  const agent = await createSignedInUser(admin, 'voice.np', ['agent'], 'agent password voice np');
  await voiceAgentProfile(admin, agent.userId);
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'phone-np',
      password: 'desk phone secret np',
      userId: agent.userId,
    }),
    201,
  );
  const phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'phone-np', password: 'desk phone secret np', audio: Buffer.alloc(1600, 0xff) },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  const socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(socket.close);
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);

  const calls = ['+8613900000001', '+8613900000002', '+8613900000003'].map((n) => sippFrom(sipPort, n));
  const offer = await until(
    'the first call offered to the agent',
    () => socket.seen.find((m) => m.event?.type === 'routing.offer_created')?.event,
    {
      timeoutMs: 20_000,
    },
  );
  const answered = offer.data['contactId'] as string;
  // Accepted at once: the IVR's own call.queued, handled after this, must not requeue the contact.
  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);
  await until(
    "the agent's phone connected to the call",
    async () => {
      const r = await admin.request('GET', '/api/voice/calls');
      return (r.json['calls'] as Json[]).find((c) => c['agentUserId'] === agent.userId);
    },
    { timeoutMs: 15_000 },
  );
  assert.deepEqual(await Promise.all(calls), [0, 0, 0], 'every sipp call completed');

  const voice = await until(
    'three ended voice contacts',
    async () => {
      const r = await admin.request('GET', '/api/contacts?scope=all');
      ok(r, 200);
      const mine = (r.json['contacts'] as Json[]).filter((c) => c['channel'] === 'voice');
      return mine.length === 3 && mine.every((c) => c['state'] === 'closed' || c['state'] === 'abandoned')
        ? mine
        : undefined;
    },
    { timeoutMs: 20_000 },
  );
  for (const c of voice) {
    const r = await admin.request('GET', `/api/contacts/${c['id']}`);
    ok(r, 200);
    const messages = (r.json['messages'] as Json[]).filter((m) => m['contactId'] === c['id']);
    assert.deepEqual(messages, [], 'a call without a transcript has no message at all');
  }

  const mine = voice.find((c) => c['id'] === answered);
  assert.equal(mine?.['state'], 'closed', JSON.stringify(mine));

  // QA ran after the call (the contact has an agent): no transcript, so the default card's
  // text rules are "not applicable" and the call is scored from its recording alone.
  const qa = await until(
    'the QA result of the answered call, measured from its recording',
    async () => {
      const r = await admin.request('GET', `/api/qa/results/${answered}`);
      return r.status === 200 ? r.json : undefined;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(qa['status'], undefined, JSON.stringify(qa));
  assert.equal(typeof qa['score'], 'number');
  assert.deepEqual(qa['scorecard'], { id: 'default', version: 1 });
  assert.deepEqual(qa['notApplicable'], [
    'greeting',
    'forbidden_words',
    'end_sentiment',
    'response_time',
    'resolution',
  ]);
  const findings = qa['findings'] as Array<{ rule: string; kind: string; passed: boolean }>;
  assert.ok(findings.length > 0 && findings.every((f) => f.kind === 'acoustic'), JSON.stringify(findings));
  // The agent's phone sent only silence: they never spoke.
  assert.equal(findings.find((f) => f.rule === 'first_words')?.passed, false);
  const report = await admin.request('GET', '/api/qa/report');
  ok(report, 200);
  const rows = (report.json['rows'] ?? []) as Array<{ agentId: string; contacts: number; failedRules: Json }>;
  assert.deepEqual(
    rows.map((r) => [r.agentId, r.contacts]),
    [[agent.userId, 1]],
    'the measured call counts; the abandoned ones do not',
  );
  assert.equal(rows[0]?.failedRules['greeting'], undefined, 'no text rule failed for want of text');

  // Three customers (k = 3) would have put the placeholder's words in the topic report.
  const topics = await admin.request('GET', '/api/analytics/topics?days=7&baseline=28&limit=100');
  ok(topics, 200);
  const terms = ['top', 'emerging', 'rising', 'falling'].flatMap((k) =>
    (topics.json[k] as Array<{ term: string }>).map((t) => t.term),
  );
  assert.deepEqual(
    terms.filter((t) => /voice|call|queued|sales|default/i.test(t)),
    [],
  );
});
