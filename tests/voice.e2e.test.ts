// Voice against the real appliance process: a sipp trunk call runs the IVR,
// DTMF queues it as a contact, routing offers it to an agent over the console
// socket, the agent accepts over HTTP and their SIP phone rings and answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import {
  consoleSocket,
  INBOUND_FLOW,
  makeAudio,
  pidAlive,
  routeAllTo,
  sippCall,
  stereo,
  voiceAgentProfile,
  waitFor,
} from './voice-support/e2e.ts';
import { bestCorrelation, decodeUlawBuf } from './voice-support/util.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
const closers: Array<() => void> = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-voice-e2e-');
  work = await tempDataDir('bl-voice-work-');
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

test('a sipp trunk call presses 1, is queued as a voice contact, offered to the agent, rung on their phone, recorded, and closed on BYE', {
  timeout: 120_000,
}, async () => {
  const audio = await makeAudio(work.dir);
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  const sipPort = status.json['sip'].port as number;
  assert.ok(sipPort > 0);

  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  const agent = await createSignedInUser(admin, 'voice.a', ['agent'], 'agent password voice a');
  await voiceAgentProfile(admin, agent.userId);
  const created = await admin.request('POST', '/api/voice/sip-accounts', {
    username: 'phone-a',
    password: 'desk phone secret a',
    userId: agent.userId,
  });
  ok(created, 201);
  assert.doesNotMatch(
    JSON.stringify(created.json),
    /"ha1\w*":|"password":/i,
    'no digest or secret in the answer',
  );
  assert.equal(JSON.stringify(created.json).includes('desk phone secret a'), false);
  ok(await admin.request('POST', '/api/voice/sip-accounts', { username: 'x', password: 'p' }), 400);

  const phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'phone-a', password: 'desk phone secret a', audio: audio.agentRaw },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  const accounts = await admin.request('GET', '/api/voice/sip-accounts');
  assert.equal(accounts.json['accounts'][0].registered, true);
  assert.doesNotMatch(JSON.stringify(accounts.json), /ha1|password/i);

  const socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(socket.close);
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);

  const sipp = sippCall(sipPort, work.dir);
  const offer = await waitFor(
    () => socket.seen.find((m) => m.event?.type === 'routing.offer_created')?.event,
    20_000,
  );
  assert.equal(offer.data['channel'], 'voice');
  const contactId = offer.data['contactId'] as string;
  // The offer can reach the agent a moment before the call records its contact id.
  const call = await waitFor(async () => {
    const live = await admin.request('GET', '/api/voice/calls');
    return (live.json['calls'] as Array<Record<string, string>>).find((c) => c['contactId'] === contactId);
  });
  assert.equal(call['state'], 'queued');
  const contact = await admin.request('GET', `/api/contacts/${contactId}`);
  ok(contact, 200);
  assert.equal(contact.json['contact'].channel, 'voice');

  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);
  await waitFor(async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<Record<string, string>>).find((c) => c['agentUserId'] === agent.userId);
  });
  await sipp;
  assert.equal(phone.byes, 1, 'the agent phone got a BYE');
  const heard = decodeUlawBuf(Buffer.concat(phone.received));
  assert.ok(bestCorrelation(heard, audio.callerSrc) > 0.8, 'the agent hears the caller');

  const closed = await waitFor(async () => {
    const r = await admin.request('GET', `/api/contacts/${contactId}`);
    const state = (r.json?.['contact'] ?? r.json)?.['state'];
    return state === 'closed' ? state : undefined;
  });
  assert.equal(closed, 'closed');

  const list = await admin.request('GET', '/api/voice/recordings');
  const rec = (list.json['recordings'] as Array<Record<string, unknown>>).find(
    (r) => r['callId'] === call['id'],
  );
  assert.ok(rec);
  assert.equal(rec['truncated'], false);
  assert.deepEqual([...(rec['legs'] as string[])].sort(), ['agent', 'customer']);
  const wav = await fetch(`${app.base}/api/voice/recordings/${call['id']}/wav`, {
    headers: { cookie: admin.cookie },
  });
  assert.equal(wav.status, 200);
  assert.equal(wav.headers.get('x-recording-truncated'), 'false');
  const { channels, left, right } = stereo(Buffer.from(await wav.arrayBuffer()));
  assert.equal(channels, 2);
  assert.ok(bestCorrelation(left, audio.callerSrc) > 0.8, 'left is the customer');
  assert.ok(bestCorrelation(right, audio.agentSrc) > 0.8, 'right is the agent');
  const agentDenied = await fetch(`${app.base}/api/voice/recordings/${call['id']}/wav`, {
    headers: { cookie: agent.client.cookie },
  });
  assert.equal(agentDenied.status, 403);
});

test('after a graceful stop the appliance’s media worker process is gone', async () => {
  const status = await admin.request('GET', '/api/voice/status');
  const pid = status.json['worker'].pid as number;
  assert.ok(pid > 0 && pidAlive(pid), 'worker runs while the appliance runs');
  assert.equal(await app.stop(), 0);
  await waitFor(() => (pidAlive(pid) ? undefined : true), 5000);
  assert.equal(pidAlive(pid), false);
});
