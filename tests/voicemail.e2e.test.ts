// A voicemail left out of hours reaches someone (issue 10), against the real
// appliance and its default inbound flow: a holiday closes the branch, a trunk
// caller hears the announcement, speaks, hangs up; the voicemail is an offline
// voice contact in the agent's inbox whose recording the agent plays; audited.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';
import { CallerUa } from './voice-support/caller-ua.ts';
import { stereo } from './voice-support/e2e.ts';
import { HEARD, levels, pulsedFrames, ulawTone } from './voice-support/parties.ts';
import { decodeUlawBuf } from './voice-support/util.ts';

const ZONE = 'Asia/Shanghai';
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA', { timeZone: ZONE });
const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];
const WEEK = Object.fromEntries(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => [d, ALL_DAY]));
const CALLER_HZ = 700;

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let caller: CallerUa | undefined;

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-voicemail-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'caller=127.0.0.1', BRANCHLINE_HTTPS: 'off', BRANCHLINE_TIMEZONE: ZONE },
  });
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  caller?.close();
  await app?.stop();
  await tmp?.cleanup();
});

/** Loudness of one μ-law RTP payload (mean absolute sample). */
const loudness = (payload: Buffer) => {
  const pcm = decodeUlawBuf(payload);
  let sum = 0;
  for (const v of pcm) sum += Math.abs(v);
  return pcm.length ? sum / pcm.length : 0;
};

test('a caller closed out by a holiday hears the announcement, leaves a voicemail, and an agent finds it in the inbox and plays it', {
  timeout: 180_000,
}, async (t) => {
  ok(
    await admin.request('PUT', '/api/routing/calendars/business-hours', {
      name: 'Business hours',
      timeZone: ZONE,
      weekly: WEEK,
      holidays: [day(-1), day(0), day(1)],
    }),
    204,
  );
  const agent = await createSignedInUser(admin, 'vm.agent', ['agent'], 'voicemail agent password');
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
  const sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;

  const frame = pulsedFrames(ulawTone(CALLER_HZ));
  caller = new CallerUa(
    { host: '127.0.0.1', port: sipPort },
    Buffer.concat(Array.from({ length: 51 }, (_, i) => frame(i))),
  );
  await caller.start();
  const ua = caller;
  assert.equal(await ua.call(), 200);

  // The announcement: speech from the appliance, then it falls quiet for the message.
  const loud = () => ua.heard.filter((h) => loudness(h.payload) > 300);
  await until('the announcement heard', () => (loud().length >= 50 ? true : undefined), {
    timeoutMs: 30_000,
  });
  const quietSince = await until(
    'the announcement over',
    () => {
      const last = loud().at(-1)?.at ?? 0;
      return Date.now() - last > 1500 ? last : undefined;
    },
    { timeoutMs: 60_000, everyMs: 100 },
  );
  t.diagnostic(`announcement: ${loud().length} loud frames`);
  // The caller speaks for about three seconds into the voicemail, then hangs up.
  await until('three seconds of message', () => (Date.now() - quietSince > 4500 ? true : undefined), {
    timeoutMs: 10_000,
    everyMs: 100,
  });
  assert.equal(await ua.bye(), 200);

  type Row = {
    id: string;
    state: string;
    channel: string;
    agentId?: string;
    attributes: Record<string, unknown>;
  };
  const vm = await until('the voicemail in the agent’s inbox', async () => {
    const r = await agent.client.request('GET', '/api/contacts');
    return (r.json['contacts'] as Row[] | undefined)?.find((c) => c.attributes['voicemail'] === true);
  });
  assert.equal(vm.channel, 'voice');
  assert.equal(vm.state, 'queued');
  assert.equal(vm.attributes['offline'], true);
  assert.ok(
    Number(vm.attributes['voicemailSeconds']) >= 3,
    `voicemail ${vm.attributes['voicemailSeconds']} s`,
  );
  const seen = await agent.client.request('GET', `/api/contacts/${vm.id}`);
  ok(seen, 200);
  assert.ok((seen.json['messages'] as Array<{ text: string }>).some((m) => /Voicemail/.test(m.text)));
  const offers = await agent.client.request('GET', '/api/routing/me/state');
  assert.deepEqual(offers.json['offers'] ?? [], [], 'nothing is offered while the branch is closed');

  // The agent plays it: the caller's words are on the recording.
  const wav = await fetch(`${app.base}/api/voice/voicemails/${vm.id}/wav`, {
    headers: { cookie: agent.client.cookie },
  });
  assert.equal(wav.status, 200);
  const { left } = stereo(Buffer.from(await wav.arrayBuffer()));
  const tail = left.subarray(Math.max(0, left.length - 3 * 8000));
  const level = levels(tail, { caller: CALLER_HZ }).caller;
  t.diagnostic(
    `recording ${(left.length / 8000).toFixed(1)} s, caller tone ${level.toFixed(0)} in the last 3 s`,
  );
  assert.ok(level > HEARD, `the caller's message is recorded (${level.toFixed(0)})`);
  const other = await fetch(`${app.base}/api/voice/voicemails/${randomUUID()}/wav`, {
    headers: { cookie: agent.client.cookie },
  });
  assert.equal(other.status, 404);

  ok(
    await admin.request('POST', '/api/roles', {
      id: 'vm-auditor',
      description: 'reads the audit trail',
      permissions: ['audit.read'],
    }),
    201,
  );
  const auditor = (await createSignedInUser(admin, 'vm.auditor', ['vm-auditor'], 'voicemail auditor pw 1'))
    .client;
  const audit = await auditor.request('GET', '/api/audit?action=call.voicemail_left&limit=10');
  ok(audit, 200);
  const records = audit.json['records'] as Array<{ action: string; details?: Record<string, unknown> }>;
  assert.ok(
    records.some((r) => r.details?.['contactId'] === vm.id),
    JSON.stringify(records),
  );
  const played = await auditor.request('GET', '/api/audit?action=recording.voicemail_played&limit=10');
  assert.equal((played.json['records'] as unknown[]).length, 1);

  // Picking it up takes it out of the other agents' inboxes, as for out-of-hours email.
  ok(await agent.client.request('POST', `/api/contacts/${vm.id}/transition`, { to: 'active' }), 200);
});

test('a caller who lets the voicemail run to its end is hung up on by the appliance and the voicemail stays in the inbox (not abandoned)', {
  timeout: 120_000,
}, async () => {
  ok(
    await admin.request('PUT', '/api/flows/inbound', {
      flow: {
        id: 'inbound',
        name: 'Short voicemail',
        language: 'en',
        start: 'vm',
        nodes: { vm: { type: 'voicemail', maxMs: 2000, next: 'bye' }, bye: { type: 'hangup' } },
      },
    }),
    200,
  );
  const agent = await createSignedInUser(admin, 'vm.agent2', ['agent'], 'voicemail agent password 2');
  const sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;
  const ua = new CallerUa({ host: '127.0.0.1', port: sipPort }, ulawTone(CALLER_HZ));
  await ua.start();
  try {
    assert.equal(await ua.call(), 200);
    type Row = { id: string; state: string; attributes: Record<string, unknown> };
    const vm = await until('the voicemail in the inbox', async () => {
      const r = await agent.client.request('GET', '/api/contacts');
      return (r.json['contacts'] as Row[] | undefined)?.find(
        (c) => c.attributes['voicemail'] === true && c.state === 'queued',
      );
    });
    await until('the appliance ended the call', async () => {
      const r = await admin.request('GET', '/api/voice/calls');
      return (r.json['calls'] as unknown[]).length === 0 ? true : undefined;
    });
    // call.ended has been handled (the call is gone): the contact is still waiting for a call back.
    const r = await admin.request('GET', `/api/contacts/${vm.id}`);
    ok(r, 200);
    assert.equal(r.json['contact'].state, 'queued');
  } finally {
    ua.close();
  }
});
