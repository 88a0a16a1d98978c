// A browser call end to end against the real appliance: a customer presses the
// widget's "call us" button (fake microphone), picks an IVR option on its
// keypad, the call is queued as a voice contact, the agent (no desk phone)
// accepts the offer pop and answers in the console softphone, audio flows both
// ways, the agent hangs up and the contact ends closed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { INBOUND_FLOW, routeAllTo, voiceAgentProfile, waitFor } from './voice-support/e2e.ts';
import { launchWebRtcChromium, toneWav } from './webrtc-support.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let browser: Browser;

const shot = (page: Page, step: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `softphone-${step}.png`) });

before(async () => {
  tmp = await tempDataDir('bl-softphone-e2e-');
  app = await startAppliance(tmp.dir, { env: { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1' } });
  admin = (await bootstrapAdmin(app)).admin;
  await toneWav(path.join(tmp.dir, 'mic.wav'), 440, 60);
  browser = await launchWebRtcChromium(path.join(tmp.dir, 'mic.wav'));
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await tmp?.cleanup();
});

async function page(): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
  return ctx.newPage();
}
const packets = async (p: Page, testId: string) =>
  Number((await p.getByTestId(testId).getAttribute('data-packets')) ?? 0);

test('a widget caller presses 1, the call is offered to an agent without a desk phone, who answers in the console softphone; audio flows both ways and the hang-up closes the contact', {
  timeout: 120_000,
}, async () => {
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  const password = 'softphone agent password 2026';
  const agent = await createSignedInUser(admin, 'phone.agent', ['agent'], password);
  await voiceAgentProfile(admin, agent.userId);
  const stranger = await createSignedInUser(admin, 'other.agent', ['agent'], 'other agent password 2026');

  const desk = await page();
  const customer = await page();
  try {
    await desk.goto(app.httpsBase);
    await desk.getByTestId('login-username').fill('phone.agent');
    await desk.getByTestId('login-password').fill(password);
    await desk.getByTestId('login-submit').click();
    await desk.getByTestId('nav-agent').click();
    await desk.getByTestId('agent-state').selectOption('available');
    await desk.getByTestId('agent-no-offers').waitFor();

    await customer.goto(`${app.base}/widget/demo.html`);
    await customer.getByTestId('bl-launcher').click();
    await customer.getByTestId('bl-call-start').click();
    await customer.locator('[data-testid="bl-call"][data-phase="active"]').waitFor({ timeout: 15_000 });
    await customer.getByTestId('bl-key-1').click();
    await shot(customer, '01-widget-in-call');

    const pop = desk.getByTestId('offer-pop');
    await pop.waitFor({ timeout: 30_000 });
    await shot(desk, '02-offer-pop');
    // The offer can reach the desk a moment before the call records its contact id.
    const call = await waitFor(async () => {
      const calls = await admin.request('GET', '/api/voice/calls');
      return (calls.json['calls'] as Array<Record<string, string>>).find((c) => c['contactId']);
    }, 15_000);
    assert.equal(call['state'], 'queued');
    assert.equal(call['queue'], 'sales', 'the keypad digit drove the IVR');
    const contactId = call['contactId'] ?? '';
    await desk.getByTestId('offer-accept').click();

    // Only the agent who accepted the offer may take the call into a browser.
    const grab = await stranger.client.request('POST', '/api/voice/webrtc/sessions', {
      sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n',
      contactId,
    });
    assert.equal(grab.status, 409, JSON.stringify(grab.json));

    await desk.getByTestId('agent-call').waitFor();
    await desk.getByTestId('softphone-answer').click();
    await desk.getByTestId('softphone-hangup').waitFor({ timeout: 15_000 });
    const bridged = await admin.request('GET', '/api/voice/calls');
    const live = (bridged.json['calls'] as Array<Record<string, string>>).find((c) => c['id'] === call['id']);
    assert.equal(live?.['state'], 'bridged');
    assert.equal(live?.['agentUserId'], agent.userId);

    // Inbound RTP counters on both pages rise while the call is up.
    const a0 = await waitFor(
      async () => ((await packets(desk, 'softphone-stats')) > 0 ? 1 : undefined),
      20_000,
    );
    assert.equal(a0, 1);
    const c1 = await packets(customer, 'bl-call');
    const d1 = await packets(desk, 'softphone-stats');
    // Polled rather than slept: under CI load the counters (and the pages showing them) lag.
    const counts = async () => ({
      c2: await packets(customer, 'bl-call'),
      d2: await packets(desk, 'softphone-stats'),
    });
    const { c2, d2 } = await waitFor(async () => {
      const n = await counts();
      return n.c2 - c1 > 50 && n.d2 - d1 > 50 ? n : undefined;
    }, 20_000).catch(counts);
    assert.ok(c2 - c1 > 50, `customer inbound RTP rose ${c1} → ${c2}`);
    assert.ok(d2 - d1 > 50, `agent inbound RTP rose ${d1} → ${d2}`);
    await shot(desk, '03-softphone-active');

    await desk.getByTestId('softphone-hangup').click();
    await desk.getByTestId('agent-call').waitFor({ state: 'detached' });
    const closed = await waitFor(async () => {
      const r = await admin.request('GET', `/api/contacts/${contactId}`);
      const state = (r.json?.['contact'] ?? r.json)?.['state'];
      return state === 'closed' ? state : undefined;
    }, 15_000);
    assert.equal(closed, 'closed');
    const after = await admin.request('GET', '/api/voice/calls');
    assert.equal(
      (after.json['calls'] as Array<Record<string, string>>).some((c) => c['id'] === call['id']),
      false,
    );
    await shot(desk, '04-after-hangup');
  } catch (e) {
    await shot(desk, 'failure-desk').catch(() => undefined);
    await shot(customer, 'failure-customer').catch(() => undefined);
    throw e;
  } finally {
    await desk.context().close();
    await customer.context().close();
  }
});
