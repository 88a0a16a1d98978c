// The console's legal-hold controls (issue 15) in Chromium, in Chinese: on a real recorded
// sipp call, an admin places a hold from the recordings list (reason and case reference), the
// row shows the 法律保全 badge and the holds section lists it; releasing it there (with a
// reason) removes the badge. The API confirms each step.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';
import { INBOUND_FLOW, makeAudio, routeAllTo, sippCall } from './voice-support/e2e.ts';

let app: RunningAppliance;
let admin: ApiClient;
let browser: Browser;
let data: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  data = await tempDataDir('bl-hold-ui-');
  work = await tempDataDir('bl-hold-ui-work-');
  await makeAudio(work.dir);
  app = await startAppliance(data.dir, { env: { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1' } });
  ({ admin } = await bootstrapAdmin(app));
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await data?.cleanup();
  await work?.cleanup();
});

test('an admin places a legal hold from the recordings list (badge shown, listed) and releases it (badge gone), in zh-CN', {
  timeout: 120_000,
}, async () => {
  const status = await admin.request('GET', '/api/voice/status');
  await sippCall(status.json['sip'].port as number, work.dir, 'trunk-call.xml');
  const callId = await until(
    'the recording finished',
    async () => {
      const r = await admin.request('GET', '/api/voice/recordings');
      return (r.json['recordings'] as Array<{ callId: string; status: string }>).find(
        (x) => x.status === 'complete',
      )?.callId;
    },
    { timeoutMs: 20_000, everyMs: 200 },
  );
  const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
  const page = await ctx.newPage();
  try {
    await page.goto(`${app.httpsBase}/voice`);
    const row = page.getByTestId(`recording-${callId}`);
    await row.waitFor();
    assert.equal(await page.getByTestId(`recording-held-${callId}`).count(), 0);
    await page.getByTestId('holds-empty').waitFor();
    await page.getByTestId(`hold-${callId}`).click();
    // The reason is required: submitting without one places nothing.
    await page.getByTestId(`hold-submit-${callId}`).click();
    assert.equal((await admin.request('GET', '/api/voice/holds')).json['holds'].length, 0);
    await page.getByTestId(`hold-reason-${callId}`).fill('客户投诉调查');
    await page.getByTestId(`hold-case-${callId}`).fill('CASE-7');
    await page.getByTestId(`hold-submit-${callId}`).click();
    const badge = page.getByTestId(`recording-held-${callId}`);
    await badge.waitFor();
    assert.equal((await badge.textContent())?.trim(), '法律保全');
    const holds = (await admin.request('GET', '/api/voice/holds')).json['holds'] as Array<{
      id: string;
      reason: string;
      caseRef: string;
      status: string;
    }>;
    assert.equal(holds.length, 1);
    assert.deepEqual(
      [holds[0]?.reason, holds[0]?.caseRef, holds[0]?.status],
      ['客户投诉调查', 'CASE-7', 'active'],
    );
    const id = holds[0]?.id as string;
    const listed = page.getByTestId(`legal-hold-${id}`);
    await listed.waitFor();
    assert.match((await listed.textContent()) ?? '', /生效中.*客户投诉调查.*案件 CASE-7/s);
    await page.screenshot({ path: path.join(ARTIFACTS, 'recording-hold-zh.png'), fullPage: true });

    await page.getByTestId(`release-hold-${id}`).click();
    await page.getByTestId(`release-reason-${id}`).fill('投诉已结案');
    await page.getByTestId(`release-submit-${id}`).click();
    await until('the badge gone', async () =>
      (await page.getByTestId(`recording-held-${callId}`).count()) === 0 ? true : undefined,
    );
    assert.match((await listed.textContent()) ?? '', /已解除.*已解除：投诉已结案/s);
    const after = (await admin.request('GET', '/api/voice/holds')).json['holds'] as Array<{ status: string }>;
    assert.equal(after[0]?.status, 'released');
  } finally {
    await ctx.close();
  }
});
