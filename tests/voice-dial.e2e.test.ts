// An agent dials a customer from the console (Chromium) against the real
// appliance: their desk phone rings and answers, the carrier (a stand-in UAS
// that insists on digest auth) gets the authorised INVITE, and a number the
// branch may not call is refused with the reason in the agent's words.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { waitFor } from './voice-support/e2e.ts';
import { FakeCarrier } from './voice-support/fake-carrier.ts';

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
