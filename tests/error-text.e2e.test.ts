// Issue 9/13: the console shows a coded error in the operator's language and never
// the server's English message. A real appliance refuses a routing workflow with a
// bad condition (ROUTING_EXPRESSION_INVALID, position in details); real Chromium in
// zh-CN shows the Chinese text and the position, and no English from the server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { en } from '../web/src/i18n/en.ts';
import { zhCN } from '../web/src/i18n/zh-CN.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';

let app: RunningAppliance;
let admin: ApiClient;
let browser: Browser;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  ({ admin } = await bootstrapAdmin(app));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

const BROKEN = {
  name: 'Broken',
  filters: [{ name: 'vip', expression: 'vipTier >= 2 )', targets: [{ queue: 'general' }] }],
};

async function saveBrokenWorkflow(locale: string): Promise<Page> {
  const ctx = await signedInContext(browser, admin, { locale });
  const page = await ctx.newPage();
  await page.goto(app.base);
  await page.getByTestId('nav-routing').click();
  await page.getByTestId('routing-tab-workflows').click();
  const form = page.getByTestId('routing-editor-workflows');
  await form.getByTestId('routing-item-id').fill('broken');
  await form.getByTestId('routing-item-json').fill(JSON.stringify(BROKEN));
  await form.getByTestId('routing-item-save').click();
  await form.getByTestId('error').waitFor({ timeout: 15_000 });
  return page;
}

test('a refused routing condition shows the zh-CN text and position, without the server message', async () => {
  // The server's own words, which must not reach the page.
  const refused = await admin.request('PUT', '/api/routing/workflows/broken', BROKEN);
  assert.equal(refused.status, 400);
  assert.equal(refused.json['error'].code, 'ROUTING_EXPRESSION_INVALID');
  const serverMessage = String(refused.json['error'].message);

  const page = await saveBrokenWorkflow('zh-CN');
  const form = page.getByTestId('routing-editor-workflows');
  const error = form.getByTestId('error');
  assert.equal(await error.getAttribute('data-code'), 'ROUTING_EXPRESSION_INVALID');
  assert.equal((await error.textContent())?.trim(), zhCN['error.ROUTING_EXPRESSION_INVALID']);
  assert.equal(
    (await form.getByTestId('routing-item-message').textContent())?.trim(),
    zhCN['routing.errorAt'].replace('{position}', '14'),
  );
  const shown = (await form.textContent()) ?? '';
  assert.ok(!shown.includes(serverMessage), `the page shows the server message: ${shown}`);
  assert.doesNotMatch(
    shown.replace(/JSON|vipTier|general|Broken|vip|name|filters|expression|targets|queue/g, ''),
    /[A-Za-z]{3,}/,
  );
  await page.context().close();
});

test('in English the same refusal is the translated text too, not the parser message', async () => {
  const page = await saveBrokenWorkflow('en-US');
  const form = page.getByTestId('routing-editor-workflows');
  assert.equal(
    (await form.getByTestId('error').textContent())?.trim(),
    en['error.ROUTING_EXPRESSION_INVALID'],
  );
  assert.equal(
    (await form.getByTestId('routing-item-message').textContent())?.trim(),
    en['routing.errorAt'].replace('{position}', '14'),
  );
  assert.doesNotMatch((await form.textContent()) ?? '', /Cannot parse expression/);
  await page.context().close();
});
