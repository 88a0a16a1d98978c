// An agent dials a customer from the console (Chromium) against the real
// appliance: their desk phone rings and answers, the carrier (a stand-in UAS
// that insists on digest auth) gets the authorised INVITE, and a number the
// branch may not call is refused with the reason in the agent's words. An
// agent with no desk phone dials from the browser's softphone instead.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { zhCN } from '../web/src/i18n/zh-CN.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { waitFor } from './voice-support/e2e.ts';
import { FakeCarrier } from './voice-support/fake-carrier.ts';
import { decodeUlawBuf } from './voice-support/util.ts';
import { launchWebRtcChromium, RtpPeer, toneWav } from './webrtc-support.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
const carrier = new FakeCarrier({
  user: 'branch8',
  password: 'carrier secret 8',
  expires: 60,
  rtpPort: 45993,
});
let phone: AgentUa | undefined;

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-voice-dial-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_HTTPS: 'off', BRANCHLINE_DIALOUT_PREFIXES: '+8610' },
  });
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  phone?.close();
  carrier.close();
  await app?.stop();
  await tmp?.cleanup();
});

test('an agent dials from the console softphone page: desk phone first, then the carrier with digest auth; a number outside the allowed prefixes is refused with the reason', {
  timeout: 90_000,
}, async () => {
  const sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;
  const carrierAt = await carrier.start();
  ok(
    await admin.request('PUT', '/api/voice/trunks', {
      name: 'pstn',
      host: carrierAt.host,
      port: carrierAt.port,
      username: 'branch8',
      password: 'carrier secret 8',
      expires: 60,
    }),
    200,
  );
  const agent = await createSignedInUser(admin, 'dial.a', ['agent'], 'agent password dial a');
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'phone-dial',
      password: 'desk phone secret dial',
      userId: agent.userId,
    }),
    201,
  );
  phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'phone-dial', password: 'desk phone secret dial', audio: Buffer.alloc(1600, 0xff) },
  );
  await phone.start();
  assert.equal(await phone.register(), 200);

  const browser = await launchChromium();
  try {
    const ctx = await signedInContext(browser, agent.client, { locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(app.base);
    await page.getByTestId('nav-softphone').click();

    await page.getByTestId('dial-number').fill('+19005550100');
    await page.getByTestId('dial-call').click();
    assert.equal(
      await page.getByTestId('dial-error').textContent(),
      'This branch may not call numbers like that.',
    );
    assert.equal(
      carrier.seen.filter((s) => s.method === 'INVITE').length,
      0,
      'the carrier was never dialled',
    );

    await page.getByTestId('dial-number').fill('+861066601234');
    await page.getByTestId('dial-call').click();
    await page.getByTestId('dial-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
  } finally {
    await browser.close();
  }
  const invites = carrier.seen.filter((s) => s.method === 'INVITE');
  assert.deepEqual(
    invites.map((s) => s.authorized),
    [false, true],
    'challenged with 407, then answered with digest',
  );
  assert.match(invites[1]?.uri ?? '', /^sip:\+861066601234@127\.0\.0\.1/);
  // Waits (and so asserts) until the agent's outbound call is bridged.
  await waitFor(async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<Record<string, string>>).find(
      (c) => c['agentUserId'] === agent.userId && c['state'] === 'bridged',
    );
  });
});

test('an agent with no desk phone dials from the browser: the browser hears the ringback, then talks to the carrier both ways, and its hang-up ends the call at the carrier', {
  timeout: 90_000,
}, async () => {
  // The carrier's media: the stand-in answers with this port, and streams a tone from it.
  const media = new RtpPeer();
  const mediaPort = await media.start();
  const carrier2 = new FakeCarrier({
    user: 'branch9',
    password: 'carrier secret 9',
    expires: 60,
    rtpPort: mediaPort,
  });
  const carrierAt = await carrier2.start();
  carrier2.ringMs = 2500;
  ok(
    await admin.request('PUT', '/api/voice/trunks', {
      name: 'pstn',
      host: carrierAt.host,
      port: carrierAt.port,
      username: 'branch9',
      password: 'carrier secret 9',
      expires: 60,
    }),
    200,
  );
  const agent = await createSignedInUser(admin, 'dial.b', ['agent'], 'agent password dial b');
  await toneWav(path.join(tmp.dir, 'mic.wav'), 600, 60);
  const browser = await launchWebRtcChromium(path.join(tmp.dir, 'mic.wav'));
  try {
    const ctx = await signedInContext(browser, agent.client, { locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(app.base);
    await page.getByTestId('nav-softphone').click();
    // The desk-phone route refuses: this agent has none.
    await page.getByTestId('dial-number').fill('+861066605678');
    await page.getByTestId('dial-call').click();
    assert.equal(
      await page.getByTestId('dial-error').textContent(),
      'You have no registered desk phone to call from.',
    );

    await page.getByTestId('dial-browser').click();
    await page.getByTestId('softphone-state').filter({ hasText: 'Calling' }).waitFor({ timeout: 15_000 });
    // While the carrier rings, the browser already receives the ringback.
    await waitFor(async () => {
      const n = Number(
        (await page
          .getByTestId('softphone-stats')
          .getAttribute('data-packets')
          .catch(() => '0')) ?? 0,
      );
      return n > 25 ? n : undefined;
    }, 15_000);
    await page.getByTestId('softphone-state').filter({ hasText: 'On a call' }).waitFor({ timeout: 20_000 });
    const invites = carrier2.seen.filter((x) => x.method === 'INVITE');
    assert.deepEqual(
      invites.map((x) => x.authorized),
      [false, true],
    );
    assert.match(invites[1]?.uri ?? '', /^sip:\+861066605678@127\.0\.0\.1/);
    const call = await waitFor(async () => {
      const r = await admin.request('GET', '/api/voice/calls');
      return (r.json['calls'] as Array<Record<string, string>>).find(
        (c) => c['agentUserId'] === agent.userId && c['state'] === 'bridged',
      );
    });

    // Both ways: the carrier's tone reaches the browser, the browser's microphone reaches the carrier.
    const tone = Buffer.alloc(160, 0);
    for (let i = 0; i < 160; i++) tone[i] = i % 8 < 4 ? 0x20 : 0xa0;
    media.stream(carrier2.offerPort, () => tone);
    const before = Number((await page.getByTestId('softphone-stats').getAttribute('data-packets')) ?? 0);
    const energy = () => {
      const pcm = decodeUlawBuf(Buffer.concat(media.received.slice(-50)));
      let sum = 0;
      for (const v of pcm) sum += v * v;
      return Math.sqrt(sum / Math.max(1, pcm.length));
    };
    await waitFor(() => (media.received.length > 50 && energy() > 1000 ? true : undefined), 20_000);
    await waitFor(async () => {
      const n = Number((await page.getByTestId('softphone-stats').getAttribute('data-packets')) ?? 0);
      return n - before > 50 ? n : undefined;
    }, 20_000);

    await page.getByTestId('softphone-hangup').click();
    await waitFor(() => (carrier2.seen.some((x) => x.method === 'BYE') ? true : undefined), 15_000);
    await waitFor(async () => {
      const r = await admin.request('GET', '/api/voice/calls');
      return (r.json['calls'] as Array<Record<string, string>>).some((c) => c['id'] === call['id'])
        ? undefined
        : true;
    }, 15_000);
  } finally {
    await browser.close();
    media.close();
    carrier2.close();
  }
});

test('while dial-out is on, the Phones page refuses deleting the only trunk and lists outbound dialing as its user (zh-CN)', {
  timeout: 60_000,
}, async () => {
  const browser = await launchChromium();
  try {
    const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(app.base);
    await page.getByTestId('nav-phones').click();
    const row = page.getByTestId('trunk-row-pstn');
    await row.getByTestId('trunk-delete').click();
    await row.getByTestId('trunk-delete-confirm').click();
    const refusal = row.getByTestId('trunk-delete-error');
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute('data-code'), 'VOICE_TRUNK_IN_USE');
    assert.equal(await refusal.textContent(), zhCN['error.VOICE_TRUNK_IN_USE']);
    assert.deepEqual(await row.getByTestId('trunk-used-by-item').allTextContents(), [
      `${zhCN['phones.usedBy.dialout']}: +8610`,
    ]);
    await row.getByTestId('trunk-delete-cancel').click();
    await row.getByTestId('trunk-delete').waitFor();
  } finally {
    await browser.close();
  }
  const trunks = (await admin.request('GET', '/api/voice/trunks')).json['trunks'] as Array<{ name: string }>;
  assert.deepEqual(
    trunks.map((t) => t.name),
    ['pstn'],
    'the trunk is kept',
  );
});
