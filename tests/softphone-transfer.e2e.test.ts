// Transfer and three-way conference from the console softphone, end to end:
// a trunk caller is answered by an agent whose only phone is the browser
// (Chromium, fake microphone), who consults a desk phone, brings everyone into
// a conference, leaves, and the caller stays with the desk phone. Each party
// sends its own tone, so who hears whom is measured, not assumed. A second
// call is blind-transferred from the browser to the desk phone.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { routeAllTo, stereo, voiceAgentProfile, waitFor } from './voice-support/e2e.ts';
import {
  HEARD,
  levels,
  hears as partiesHear,
  pulsedFrames,
  SILENT,
  ulawTone,
  warbleWav,
} from './voice-support/parties.ts';
import { launchWebRtcChromium, RtpPeer, sipInvite } from './webrtc-support.ts';

/** Each party's tone: the browser agent, the desk phone, the caller. */
const HZ = { browser: 700, desk: 1300, caller: 1900 };
const QUEUE_AT_ONCE = {
  id: 'inbound',
  name: 'Queue at once',
  language: 'en',
  start: 'q',
  nodes: { q: { type: 'enqueue', queue: 'sales' } },
};
const PASSWORD = 'desk phone secret b';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let browser: Browser;
let agent: { userId: string; password: string; client: ApiClient };
let desk: AgentUa;
let sipPort: number;

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));
const shot = (page: Page, step: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `softphone-transfer-${step}.png`) });

const hears = (what: string, frames: () => Buffer[], want: Partial<Record<keyof typeof HZ, boolean>>) =>
  partiesHear(HZ, what, frames, want);

before(async () => {
  tmp = await tempDataDir('bl-softphone-transfer-');
  app = await startAppliance(tmp.dir, { env: { BRANCHLINE_SIP_TRUNKS: 'trunk=127.0.0.1' } });
  admin = (await bootstrapAdmin(app)).admin;
  sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, QUEUE_AT_ONCE);
  const password = 'browser agent password 2026';
  const a = await createSignedInUser(admin, 'browser.agent', ['agent'], password);
  agent = { userId: a.userId, password, client: a.client };
  await voiceAgentProfile(admin, a.userId);
  ok(await admin.request('POST', '/api/voice/sip-accounts', { username: 'desk-b', password: PASSWORD }), 201);
  desk = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'desk-b', password: PASSWORD, audio: ulawTone(HZ.desk) },
  );
  await desk.start();
  assert.equal(await desk.register(), 200);
  await warbleWav(path.join(tmp.dir, 'mic.wav'), HZ.browser);
  browser = await launchWebRtcChromium(path.join(tmp.dir, 'mic.wav'));
});
after(async () => {
  desk?.close();
  await browser?.close();
  await app?.stop();
  await tmp?.cleanup();
});

/** The agent's console, signed in and available on the agent desk. */
async function agentDesk(): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto(app.httpsBase);
  await page.getByTestId('login-username').fill('browser.agent');
  await page.getByTestId('login-password').fill(agent.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-agent').click();
  await page.getByTestId('agent-state').selectOption('available');
  await page.getByTestId('agent-no-offers').waitFor();
  return page;
}

/** A trunk call streaming the caller's tone, accepted and answered in the browser. */
async function answeredCall(page: Page) {
  const peer = new RtpPeer();
  const rtpPort = await peer.start();
  const call = await sipInvite({ host: '127.0.0.1', port: sipPort }, rtpPort);
  peer.stream(call.mediaPort, pulsedFrames(ulawTone(HZ.caller)));
  await page.getByTestId('offer-pop').waitFor({ timeout: 30_000 });
  const live = await waitFor(async () => {
    const calls = await admin.request('GET', '/api/voice/calls');
    return (calls.json['calls'] as Array<Record<string, string>>).find(
      (c) => c['contactId'] && c['state'] === 'queued',
    );
  }, 15_000);
  await page.getByTestId('offer-accept').click();
  await page.getByTestId('agent-call').waitFor();
  await page.getByTestId('softphone-answer').click();
  await page.getByTestId('transfer').waitFor({ timeout: 15_000 });
  await hears('the caller hears the browser agent', () => peer.received, { browser: true });
  return { peer, call, callId: live['id'] ?? '' };
}

const callInfo = async (id: string) =>
  ((await admin.request('GET', '/api/voice/calls')).json['calls'] as Array<Record<string, string>>).find(
    (c) => c['id'] === id,
  );

/**
 * Runs `body` on a call answered in a fresh agent console; a failure leaves a
 * screenshot named `step`, and the call and the console are closed either way.
 */
async function onAnsweredCall(
  step: string,
  body: (c: { page: Page } & Awaited<ReturnType<typeof answeredCall>>) => Promise<void>,
): Promise<void> {
  const page = await agentDesk();
  const c = await answeredCall(page);
  try {
    await body({ page, ...c });
  } catch (e) {
    await shot(page, step).catch(() => undefined);
    throw e;
  } finally {
    c.peer.close();
    c.call.close();
    await page.context().close();
  }
}

test('the browser agent consults a desk phone, starts a three-way conference in which everyone hears everyone, leaves, and the caller stays with the desk phone; the agent channel records both agents', {
  timeout: 150_000,
}, async () => {
  await onAnsweredCall('failure-1', async ({ page, peer, call, callId }) => {
    await page.getByTestId('transfer-target').fill('desk-b');
    await page.getByTestId('transfer-consult').click();
    await page.getByTestId('transfer-stage').waitFor({ timeout: 20_000 });
    const heardByDesk = () => desk.received;
    await hears('the desk phone hears the browser agent while consulting', heardByDesk, {
      browser: true,
      caller: false,
    });
    await hears('the caller hears neither agent while held', () => peer.received, {
      browser: false,
      desk: false,
    });
    assert.equal((await callInfo(callId))?.['state'], 'bridged');
    await shot(page, '01-consulting');

    await page.getByTestId('transfer-conference').click();
    await page.getByText('Three-way conference.').waitFor();
    await hears('the caller hears both agents in the conference', () => peer.received, {
      browser: true,
      desk: true,
    });
    await hears('the desk phone hears the caller and the browser agent', heardByDesk, {
      browser: true,
      caller: true,
    });
    // The conference runs a while, so the recording has whole half-seconds of it.
    const confFrom = peer.received.length;
    await waitFor(() => (peer.received.length > confFrom + 75 ? true : undefined), 20_000);
    await shot(page, '02-conference');

    await page.getByTestId('transfer-complete').click();
    await page.getByTestId('agent-call').waitFor({ state: 'detached', timeout: 15_000 });
    await hears('after the agent leaves, the caller hears the desk phone only', () => peer.received, {
      desk: true,
      browser: false,
    });
    await hears('the desk phone hears the caller only', heardByDesk, { caller: true, browser: false });
    const moved = await callInfo(callId);
    assert.equal(moved?.['state'], 'bridged', 'the call lives on without the browser');
    assert.equal(moved?.['agentUserId'], 'desk-b');
    // Two more seconds with the desk phone, so the recording has a whole desk-only stretch.
    const heardSoFar = peer.received.length;
    await waitFor(() => (peer.received.length > heardSoFar + 100 ? true : undefined), 20_000);

    await call.bye();
    await waitFor(async () => ((await callInfo(callId)) ? undefined : true), 15_000);
    // The recording is sealed a moment after the call ends: wait for its listing, then read it.
    await waitFor(async () => {
      const list = await admin.request('GET', '/api/voice/recordings');
      const rec = (list.json['recordings'] as Array<Record<string, unknown>>).find(
        (r) => r['callId'] === callId,
      );
      return rec && (rec['legs'] as string[]).includes('agent') ? rec : undefined;
    }, 15_000);

    const { right } = await waitFor(async () => {
      const wav = await fetch(`${app.base}/api/voice/recordings/${callId}/wav`, {
        headers: { cookie: admin.cookie },
      });
      if (wav.status !== 200) return undefined;
      const s = stereo(Buffer.from(await wav.arrayBuffer()));
      return s.right.length > 8000 * 3 ? s : undefined;
    }, 15_000);
    // The agent channel follows the call: the browser agent first, then the desk phone.
    const halves = Math.floor(right.length / 4000);
    const shares = Array.from({ length: halves }, (_v, i) =>
      levels(right.subarray(i * 4000, (i + 1) * 4000), HZ),
    );
    const browserSeconds = shares.filter((s) => s.browser > HEARD && s.desk < SILENT).length;
    const deskSeconds = shares.filter((s) => s.desk > HEARD && s.browser < SILENT).length;
    assert.ok(
      browserSeconds >= 1,
      `the agent channel holds the browser agent (${browserSeconds} of ${halves} half-seconds)`,
    );
    assert.ok(
      deskSeconds >= 1,
      `the agent channel holds the desk phone (${deskSeconds} of ${halves} half-seconds)`,
    );
    // During the conference the agent channel holds what the caller heard: both agents at once.
    const together = shares.filter((s) => s.desk > HEARD && s.browser > HEARD).length;
    assert.ok(together >= 1, `the agent channel holds the conference (${together} half-seconds with both)`);
    const firstDesk = shares.findIndex((s) => s.desk > HEARD);
    const firstBrowser = shares.findIndex((s) => s.browser > HEARD);
    assert.ok(firstBrowser < firstDesk, 'the browser agent is on the agent channel before the desk phone');

    ok(
      await admin.request('POST', '/api/roles', {
        id: 'trail-reader',
        description: 'reads the audit trail',
        permissions: ['audit.read'],
      }),
      201,
    );
    const reader = await createSignedInUser(
      admin,
      'trail.reader',
      ['trail-reader'],
      'trail reader password 1',
    );
    const audit = await reader.client.request('GET', '/api/audit?action=call.conferenced');
    ok(audit, 200);
    assert.ok(JSON.stringify(audit.json).includes(callId), 'the conference is in the audit trail');
    const stagesOf = async () => {
      const r = await reader.client.request('GET', '/api/audit?action=call.transferred&limit=100');
      const mine = (r.json['records'] as Array<{ details?: Record<string, unknown> }>).filter(
        (x) => x.details?.['callId'] === callId,
      );
      return { stages: mine.map((x) => String(x.details?.['stage'])).sort(), raw: JSON.stringify(r.json) };
    };
    const trail = await waitFor(async () => {
      const t = await stagesOf();
      return t.stages.length >= 2 ? t : undefined;
    }, 10_000).catch(stagesOf);
    assert.deepEqual(
      trail.stages,
      ['completed', 'started'],
      `consult started, then completed: ${trail.raw.slice(0, 2000)}`,
    );
  });
});

test('the browser agent blind-transfers a call to a desk phone: the browser leg is let go and the caller talks to the desk phone', {
  timeout: 120_000,
}, async () => {
  await onAnsweredCall('failure-2', async ({ page, peer, call, callId }) => {
    // An unknown target is refused without touching the call.
    const refused = await agent.client.request('POST', `/api/voice/calls/${callId}/transfer`, {
      mode: 'blind',
      to: { extension: 'nobody-here' },
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.json));
    assert.equal((await callInfo(callId))?.['agentUserId'], agent.userId);
    await hears('the caller still hears the browser agent', () => peer.received, { browser: true });
    const from = desk.received.length;
    await page.getByTestId('transfer-target').fill('desk-b');
    await page.getByTestId('transfer-blind').click();
    await page.getByTestId('agent-call').waitFor({ state: 'detached', timeout: 20_000 });
    await hears('the caller hears the desk phone, not the browser', () => peer.received, {
      desk: true,
      browser: false,
    });
    await hears('the desk phone hears the caller', () => desk.received.slice(from), { caller: true });
    const moved = await callInfo(callId);
    assert.equal(moved?.['state'], 'bridged');
    assert.equal(moved?.['agentUserId'], 'desk-b');
    await call.bye();
    await waitFor(async () => ((await callInfo(callId)) ? undefined : true), 15_000);
  });
});

test('the browser agent hanging up while consulting hands the caller to the desk phone', {
  timeout: 120_000,
}, async () => {
  await onAnsweredCall('failure-3', async ({ page, peer, call, callId }) => {
    await page.getByTestId('transfer-target').fill('desk-b');
    await page.getByTestId('transfer-consult').click();
    await page.getByTestId('transfer-stage').waitFor({ timeout: 20_000 });
    await hears('the desk phone hears the browser agent', () => desk.received, { browser: true });
    await page.getByTestId('softphone-hangup').click();
    await page.getByTestId('agent-call').waitFor({ state: 'detached', timeout: 15_000 });
    await hears('the caller now hears the desk phone', () => peer.received, { desk: true, browser: false });
    await hears('the desk phone hears the caller', () => desk.received, { caller: true, browser: false });
    const moved = await callInfo(callId);
    assert.equal(moved?.['state'], 'bridged', 'the hang-up did not end the call');
    assert.equal(moved?.['agentUserId'], 'desk-b');
    await call.bye();
    await waitFor(async () => ((await callInfo(callId)) ? undefined : true), 15_000);
  });
});
