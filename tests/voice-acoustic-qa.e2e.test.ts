// Issue 14, "acoustic QA on scripted calls", against the real appliance: a sipp trunk call
// presses 1, queues for sales and plays the customer's espeak-ng speech once; the agent's
// desk phone answers and speaks its own script, reacting to what it hears. The sales queue
// has a scorecard of acoustic rules (made over the API). The agent who talks over the
// customer and then leaves 20 s of silence fails exactly the overtalk and silence rules;
// the polite agent passes every rule. Both calls are scored from their recordings alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeUlaw } from '../appliance/src/voice/media/g711.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { consoleSocket, INBOUND_FLOW, routeAllTo, TESTDATA, voiceAgentProfile } from './voice-support/e2e.ts';
import { ACOUSTIC_CARD_RULES, scriptLines, ulawWav } from './voice-support/qa-script.ts';
import { decodeUlawBuf } from './voice-support/util.ts';

type Json = Record<string, unknown>;
let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let agent: Awaited<ReturnType<typeof createSignedInUser>>;
let phone: AgentUa;
let socket: Awaited<ReturnType<typeof consoleSocket>>;
let lines: Awaited<ReturnType<typeof scriptLines>>;
let sipPort: number;
const closers: Array<() => void> = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-acoustic-e2e-');
  work = await tempDataDir('bl-acoustic-e2e-work-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1', BRANCHLINE_HTTPS: 'off' },
  });
  admin = (await bootstrapAdmin(app)).admin;
  lines = await scriptLines(work.dir);
  await copyFile('/usr/share/sip-tester/dtmf_2833_1.pcap', join(work.dir, 'dtmf.pcap'));
  // The DTMF trunk call, but the customer's WAV plays once and the agent hangs up.
  const dtmf = await readFile(join(TESTDATA, 'trunk-call-dtmf.xml'), 'utf8');
  const serverBye = await readFile(join(TESTDATA, 'trunk-call-server-bye.xml'), 'utf8');
  const head = dtmf
    .slice(0, dtmf.indexOf('<pause milliseconds="20000"/>'))
    .replace('caller.wav,-1,0', 'customer.wav,1,0');
  await writeFile(
    join(work.dir, 'scripted.xml'),
    head + serverBye.slice(serverBye.indexOf('<recv request="BYE"')),
  );

  sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  ok(
    await admin.request('PUT', '/api/qa/scorecards/calls', {
      name: 'Sales calls (acoustic)',
      queues: ['sales'],
      rules: ACOUSTIC_CARD_RULES,
    }),
    200,
  );
  agent = await createSignedInUser(admin, 'voice.qa', ['agent'], 'agent password voice qa');
  await voiceAgentProfile(admin, agent.userId);
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'phone-qa',
      password: 'desk phone secret qa',
      userId: agent.userId,
    }),
    201,
  );
  phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'phone-qa', password: 'desk phone secret qa', audio: Buffer.alloc(1600, 0xff) },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(socket.close);
});
after(async () => {
  for (const c of closers) c();
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

/** What the agent's phone has heard so far: 20 ms packets with speech, and the quiet ones at the end. */
function hearing(since: number) {
  const loud = phone.received.slice(since).map((b) => {
    const pcm = decodeUlawBuf(b);
    let e = 0;
    for (const v of pcm) e += v * v;
    return Math.sqrt(e / (pcm.length || 1)) > 300;
  });
  const lastLoud = loud.lastIndexOf(true);
  return { speech: loud.filter(Boolean).length, quietTail: loud.length - 1 - lastLoud };
}

/** One scripted call: the customer's WAV from sipp; `agentScript` runs once the phone answers. */
async function scriptedCall(customer: Int16Array, agentScript: (since: number) => Promise<void>) {
  await ulawWav(work.dir, 'customer', customer);
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  const seen = socket.seen.length;
  const [sippPort, mediaPort] = [await freePort(), await freePort()];
  const child = spawn(
    'sipp',
    [
      ...[`127.0.0.1:${sipPort}`, '-sf', join(work.dir, 'scripted.xml'), '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(sippPort), '-mp', String(mediaPort), '-timeout', '90s', '-nostdin', '-timeout_error'],
    ],
    { cwd: work.dir, stdio: 'ignore' },
  );
  closers.push(() => child.kill('SIGKILL'));
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const offer = await until(
    'the call offered to the agent',
    () => socket.seen.slice(seen).find((m) => m.event?.type === 'routing.offer_created')?.event,
    { timeoutMs: 20_000 },
  );
  const contactId = offer.data['contactId'] as string;
  const invites = phone.invites;
  const since = phone.received.length;
  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);
  await until('the desk phone answered', () => (phone.invites > invites ? true : undefined), {
    timeoutMs: 15_000,
  });
  await agentScript(since);
  phone.hangup();
  assert.equal(await done, 0, 'sipp saw the whole call and the BYE');
  const qa = await until(
    'the QA result measured from the recording',
    async () => {
      const r = await admin.request('GET', `/api/qa/results/${contactId}`);
      return r.status === 200 && r.json['acoustic'] ? r.json : undefined;
    },
    { timeoutMs: 30_000 },
  );
  return qa as Json & {
    findings: Array<{ rule: string; passed: boolean; kind: string }>;
    acoustic: Record<string, number>;
  };
}

const ulaw = (...parts: Int16Array[]) => encodeUlaw(concat(parts));
function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const silence = (s: number) => new Int16Array(Math.round(s * 8000));

test('the agent who talks over the customer and leaves 20 s of silence fails exactly the overtalk and silence rules', {
  timeout: 150_000,
}, async (t) => {
  // Silence is sent too (a real phone keeps sending RTP): the agent counts it as it hears it.
  const customer = concat([silence(2.5), lines.complaint, silence(40)]);
  const qa = await scriptedCall(customer, async (since) => {
    await until(
      'two seconds of the customer speaking',
      () => (hearing(since).speech >= 100 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    await phone.say(ulaw(lines.overAgent));
    await until('21 s of silence', () => (hearing(since).quietTail >= 1050 ? true : undefined), {
      timeoutMs: 60_000,
      everyMs: 200,
    });
    await phone.say(ulaw(lines.lateAgent));
  });
  t.diagnostic(`rude call: ${JSON.stringify(qa.acoustic)}`);
  assert.deepEqual(qa['scorecard'], { id: 'calls', version: 1 });
  assert.equal(qa['status'], undefined, 'scored');
  assert.deepEqual(
    qa.findings.filter((f) => !f.passed).map((f) => f.rule),
    ['longest_silence', 'silence_share', 'overtalk'],
    JSON.stringify(qa),
  );
  assert.equal(qa.findings.length, ACOUSTIC_CARD_RULES.length);
  assert.ok((qa.acoustic['longest_silence_s'] ?? 0) >= 20, JSON.stringify(qa.acoustic));
  assert.ok((qa.acoustic['overtalk_s'] ?? 0) > 1.5, JSON.stringify(qa.acoustic));
  assert.equal(qa['score'], 100 - 15 - 10 - 20);
});

test('the polite agent who waits for the customer and answers at once passes every rule', {
  timeout: 150_000,
}, async (t) => {
  const customer = concat([silence(2.5), lines.lostCard, silence(20)]);
  const qa = await scriptedCall(customer, async (since) => {
    await until(
      'the customer has spoken and paused',
      () => {
        const h = hearing(since);
        return h.speech >= 50 && h.quietTail >= 35 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await phone.say(ulaw(lines.politeAgent, silence(0.6), lines.anythingElse));
  });
  t.diagnostic(`polite call: ${JSON.stringify(qa.acoustic)}`);
  assert.deepEqual(
    qa.findings.filter((f) => !f.passed).map((f) => f.rule),
    [],
    JSON.stringify(qa),
  );
  assert.equal(qa['score'], 100);
  assert.equal(qa.acoustic['overtalk_s'], 0, JSON.stringify(qa.acoustic));
});
