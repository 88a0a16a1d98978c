// Issue 14, "scorecards are data": in real Chromium (zh-CN) a supervisor opens 质检, changes
// a threshold of the default scorecard and saves it as version 2, tries the card on a sample
// conversation, and sees a refused save (a rule without words) explained in Chinese.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let browser: Browser;

before(async () => {
  tmp = await tempDataDir('bl-qa-cards-');
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await tmp?.cleanup();
});

test('the 质检 page edits a scorecard threshold into a new version, tries it on a sample and explains a refused save', {
  timeout: 90_000,
}, async () => {
  const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(app.base);
  await page.getByTestId('nav-qa').click();
  const card = page.getByTestId('qa-scorecards');
  await card.locator('[data-testid="qa-card-version"][data-version="1"]').waitFor();
  const overtalk = card.locator('[data-testid="qa-card-rule"][data-rule="overtalk"]');
  assert.match((await overtalk.textContent()) ?? '', /抢话时长/);
  await overtalk.getByTestId('qa-rule-threshold').fill('1.5');
  await card.getByTestId('qa-card-save').click();
  await card.locator('[data-testid="qa-card-version"][data-version="2"]').waitFor();

  const saved = await admin.request('GET', '/api/qa/scorecards/default');
  assert.equal(saved.json['version'], 2);
  const rule = (saved.json['rules'] as Array<{ id: string; threshold?: number }>).find(
    (r) => r.id === 'overtalk',
  );
  assert.equal(rule?.threshold, 1.5);
  const versions = await admin.request('GET', '/api/qa/scorecards/default/versions');
  assert.deepEqual(
    (versions.json['versions'] as Array<{ version: number }>).map((v) => v.version),
    [1, 2],
  );

  await card
    .getByTestId('qa-try-sample')
    .fill('客户：我的卡丢了\n坐席：您好，已为您挂失。\n客户：好的\n坐席：还有其他可以帮您的吗？');
  await card.getByTestId('qa-try').click();
  const result = card.getByTestId('qa-try-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-score'), '100');
  await card.locator('[data-testid="qa-try-finding"][data-rule="greeting"][data-passed="true"]').waitFor();
  assert.equal(await card.getByTestId('qa-try-finding').count(), 5, 'only the text rules judge a sample');

  // A greeting rule without words is refused with a coded error the console translates.
  await card
    .locator('[data-testid="qa-card-rule"][data-rule="greeting"]')
    .getByTestId('qa-rule-words')
    .fill('');
  await card.getByTestId('qa-card-save').click();
  const error = await until('the translated refusal', async () => {
    const text =
      (await card
        .getByTestId('qa-cards-error')
        .textContent()
        .catch(() => '')) ?? '';
    return text.trim() ? text : undefined;
  });
  assert.match(error, /评分表无效/);
  assert.equal(
    (await admin.request('GET', '/api/qa/scorecards/default')).json['version'],
    2,
    'nothing saved',
  );
  await ctx.close();
});
