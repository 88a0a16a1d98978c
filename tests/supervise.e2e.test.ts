// A supervisor on a live call from the console (Chromium, fake microphone):
// a trunk caller talks to an agent's desk phone; the supervisor opens
// "Calls & recordings", whispers (only the agent hears), barges (both hear),
// listens (nobody hears) and leaves. Each party sends its own tone, so who
// hears whom is measured on the RTP each phone receives; every mode is audited.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { consoleSocket, routeAllTo, stereo, voiceAgentProfile, waitFor } from './voice-support/e2e.ts';
import {
  HEARD,
  levels,
  hears as partiesHear,
  pulsedFrames,
  ulawTone,
  warbleWav,
} from './voice-support/parties.ts';
import { launchWebRtcChromium, RtpPeer, sipInvite } from './webrtc-support.ts';

const HZ = { supervisor: 700, agent: 1300, caller: 1900 };
const hears = (what: string, frames: () => Buffer[], want: Partial<Record<keyof typeof HZ, boolean>>) =>
  partiesHear(HZ, what, frames, want);

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let browser: Browser;
const closers: Array<() => void> = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-supervise-e2e-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'trunk=127.0.0.1', BRANCHLINE_HTTPS: 'off' },
  });
  admin = (await bootstrapAdmin(app)).admin;
  await warbleWav(path.join(tmp.dir, 'mic.wav'), HZ.supervisor);
  browser = await launchWebRtcChromium(path.join(tmp.dir, 'mic.wav'));
});
after(async () => {
  for (const c of closers) c();
  await browser?.close();
  await app?.stop();
  await tmp?.cleanup();
});

test('a supervisor whispers to the agent (the caller does not hear), barges in (both hear), listens (nobody hears) and leaves; each mode is in the audit trail', {
  timeout: 150_000,
}, async () => {
  const sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;
  await routeAllTo(
    admin,
    { id: 'sales', name: 'Sales' },
    {
      id: 'inbound',
      name: 'Queue',
      language: 'en',
      start: 'q',
      nodes: { q: { type: 'enqueue', queue: 'sales' } },
    },
  );
  const agent = await createSignedInUser(admin, 'sup.agent', ['agent'], 'agent password sup 2026');
  await voiceAgentProfile(admin, agent.userId);
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'phone-sup',
      password: 'desk phone secret sup',
      userId: agent.userId,
    }),
    201,
  );
  // A floor lead who may monitor calls (a custom role: no MFA enrolment in the test).
  ok(
    await admin.request('POST', '/api/roles', {
      id: 'floor-lead',
      description: 'monitors live calls',
      permissions: ['contacts.monitor'],
    }),
    201,
  );
  const lead = await createSignedInUser(admin, 'floor.lead', ['floor-lead'], 'floor lead password 2026');
  const phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'phone-sup', password: 'desk phone secret sup', audio: ulawTone(HZ.agent) },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  const socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(() => socket.close());
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);

  const caller = new RtpPeer();
  const rtpPort = await caller.start();
  const call = await sipInvite({ host: '127.0.0.1', port: sipPort }, rtpPort);
  closers.push(() => {
    caller.close();
    call.close();
  });
  caller.stream(call.mediaPort, pulsedFrames(ulawTone(HZ.caller)));
  const offer = await waitFor(
    () => socket.seen.find((m) => m.event?.type === 'routing.offer_created')?.event,
    20_000,
  );
  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);
  const live = await waitFor(async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<Record<string, string>>).find(
      (c) => c['agentUserId'] === agent.userId && c['state'] === 'bridged',
    );
  }, 20_000);
  const callId = live['id'] ?? '';
  await hears('the caller hears the agent', () => caller.received, { agent: true });
  await hears('the agent hears the caller', () => phone.received, { caller: true });

  const ctx = await signedInContext(browser, lead.client, { locale: 'en-US' });
  const page = await ctx.newPage();
  try {
    await page.goto(app.base);
    await page.getByTestId('nav-voice').click();
    await page.getByTestId(`supervise-${callId}-whisper`).click({ timeout: 20_000 });
    await page
      .locator(`[data-testid="supervise-${callId}"][data-mode="whisper"]`)
      .waitFor({ timeout: 20_000 });
    await hears('whisper: the agent hears the supervisor and the caller', () => phone.received, {
      supervisor: true,
      caller: true,
    });
    await hears('whisper: the caller hears the agent, not the supervisor', () => caller.received, {
      agent: true,
      supervisor: false,
    });
    await page.screenshot({ path: path.join(ARTIFACTS, 'supervise-01-whisper.png') });

    await page.getByTestId(`supervise-${callId}-barge`).click();
    await page.locator(`[data-testid="supervise-${callId}"][data-mode="barge"]`).waitFor();
    await hears('barge: the caller hears the supervisor too', () => caller.received, {
      agent: true,
      supervisor: true,
    });
    await hears('barge: the agent still hears the supervisor', () => phone.received, { supervisor: true });
    // Barge on for a while, so the recording has whole half-seconds of it.
    const bargeFrom = caller.received.length;
    await waitFor(() => (caller.received.length > bargeFrom + 75 ? true : undefined), 20_000);

    await page.getByTestId(`supervise-${callId}-listen`).click();
    await page.locator(`[data-testid="supervise-${callId}"][data-mode="listen"]`).waitFor();
    await hears('listen: the caller no longer hears the supervisor', () => caller.received, {
      agent: true,
      supervisor: false,
    });
    await hears('listen: nor does the agent', () => phone.received, { caller: true, supervisor: false });

    await page.getByTestId(`supervise-${callId}-leave`).click();
    await page.locator(`[data-testid="supervise-${callId}"][data-mode="off"]`).waitFor();
    await hears('after leaving, the call is the two of them', () => caller.received, { agent: true });
  } finally {
    await ctx.close();
  }

  ok(
    await admin.request('POST', '/api/roles', {
      id: 'trail-reader',
      description: 'reads the audit trail',
      permissions: ['audit.read'],
    }),
    201,
  );
  const reader = await createSignedInUser(admin, 'trail.reader', ['trail-reader'], 'trail reader password 1');
  const supervised = async () => {
    const r = await reader.client.request('GET', '/api/audit?action=call.supervised&limit=100');
    ok(r, 200);
    return r.json['records'] as Array<{ actor: string; details: Record<string, unknown> }>;
  };
  const modes = await waitFor(async () => {
    const m = (await supervised())
      .filter((x) => x.details['callId'] === callId && x.actor === lead.userId)
      .map((x) => x.details['mode'] as string);
    return m.includes('off') ? m : undefined;
  }, 15_000).catch(async () => assert.fail(`no 'off' in ${JSON.stringify(await supervised())}`));
  assert.deepEqual([...modes].sort(), ['barge', 'listen', 'off', 'whisper']);
  await call.bye();

  // The recording keeps what the customer heard: while the supervisor barged, the agent
  // channel holds both the agent and the supervisor.
  const { left, right } = await waitFor(async () => {
    const list = await admin.request('GET', '/api/voice/recordings');
    const rec = (list.json['recordings'] as Array<Record<string, unknown>>).find(
      (r) => r['callId'] === callId,
    );
    if (rec?.['status'] !== 'complete') return undefined;
    const wav = await fetch(`${app.base}/api/voice/recordings/${callId}/wav`, {
      headers: { cookie: admin.cookie },
    });
    return wav.status === 200 ? stereo(Buffer.from(await wav.arrayBuffer())) : undefined;
  }, 20_000);
  const halves = (pcm: Int16Array) =>
    Array.from({ length: Math.floor(pcm.length / 4000) }, (_v, i) =>
      levels(pcm.subarray(i * 4000, (i + 1) * 4000), HZ),
    );
  const barged = halves(right).filter((h) => h.agent > HEARD && h.supervisor > HEARD).length;
  assert.ok(barged >= 1, `the agent channel holds the barge (${barged} half-seconds with both)`);
  const leaked = halves(left).filter((h) => h.supervisor > HEARD).length;
  assert.equal(leaked, 0, 'the customer channel never holds the supervisor');
});
