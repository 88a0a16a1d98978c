// Issue 16, "every list is paged": the console's ticket list, CRM customer
// list and KB article list show the first page (50) and fetch the rest with
// "Show more" over real HTTP; nothing is shown twice and the button goes once
// the list is exhausted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';

let app: RunningAppliance;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-lists-paging-');
  cleanup = tmp.cleanup;
  // The 2-core machine is shared: a cold tsx start can take over a minute.
  app = await startAppliance(tmp.dir, { timeoutMs: 180_000 });
  ({ admin } = await bootstrapAdmin(app));
  for (let i = 0; i < 60; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, k) => {
        const t = await admin.request('POST', '/api/tickets', {
          subject: `paged ${i + k}`,
          description: 'd',
        });
        assert.equal(t.status, 201);
        const c = await admin.request('POST', '/api/customers', { name: `Paged customer ${i + k}` });
        assert.equal(c.status, 201);
      }),
    );
  }
  const cat = await admin.request('POST', '/api/kb/categories', {
    id: 'paged',
    name: { 'zh-CN': '分页', en: 'Paged' },
  });
  assert.equal(cat.status, 201, JSON.stringify(cat.json));
  for (let i = 0; i < 60; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, k) => {
        const a = await admin.request('POST', '/api/kb/articles', {
          id: `paged-${String(i + k).padStart(2, '0')}`,
          locale: 'en',
          title: `Paged article ${i + k}`,
          body: 'b',
          category: 'paged',
          tags: [],
          visibility: 'internal',
        });
        assert.equal(a.status, 201);
      }),
    );
  }
  browser = await launchChromium();
  const ctx = await signedInContext(browser, admin, { locale: 'en-US' });
  page = await ctx.newPage();
  await page.goto(app.base);
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

test('the ticket list shows 50 tickets, then all 60 after "Show more", each once', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('nav-tickets').click();
  const rows = page.getByTestId('ticket-row');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByTestId('tickets-more').click();
  await rows.nth(59).waitFor();
  const numbers = await page.locator('[data-testid^="ticket-open-"]').allTextContents();
  assert.equal(numbers.length, 60);
  assert.equal(new Set(numbers).size, 60, 'no ticket twice');
  assert.equal(numbers[0], 'BR-000060', 'newest first');
  assert.equal(await page.getByTestId('tickets-more').count(), 0, 'no more button on the last page');
});

test('the CRM customer list shows 50 customers, then all 60 after "Show more"', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('nav-crm').click();
  await page.getByTestId('crm-browse').click();
  const rows = page.getByTestId('crm-customer-row');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByTestId('crm-more').click();
  await rows.nth(59).waitFor();
  const names = await rows.allTextContents();
  assert.equal(new Set(names).size, 60, 'no customer twice');
  assert.equal(await page.getByTestId('crm-more').count(), 0);
});

test('the KB article list shows 50 articles, then all 60 after "Show more"', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('nav-knowledge').click();
  const rows = page.locator('[data-testid="kb-article-list"] [data-testid^="kb-open-paged-"]');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByTestId('kb-more').click();
  await rows.nth(59).waitFor();
  const titles = await rows.allTextContents();
  assert.equal(titles.length, 60);
  assert.equal(new Set(titles).size, 60, 'no article twice');
  assert.equal(titles[0], 'Paged article 0', 'id order');
  assert.equal(await page.getByTestId('kb-more').count(), 0);
});
