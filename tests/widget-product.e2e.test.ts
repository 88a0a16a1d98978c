// The customer widget at product grade (issue 13), in Chromium against a real appliance, zh-CN and en:
// greeting + privacy → send by Enter → waiting with a live queue position (the second customer sees 2,
// then 1) → an agent accepts and types (indicator seen) and replies → the chat ends (text box gone) →
// rating by keyboard (radio group, one row at 320 px) → transcript and a new chat; axe-core on the
// host page finds no serious or critical violation.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chatAgent } from './inbox-helpers.ts';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let admin: ApiClient;
let agent: ApiClient;
let browser: Browser;
let cleanup: () => Promise<void>;

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  const tmp = await tempDataDir('bl-widget-product-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
  agent = (await chatAgent(admin, 'widget.agent', 'widget agent password 1')).client;
  ok(
    await admin.request('PUT', '/api/setup/widget', {
      greeting: '您好，欢迎咨询示例银行！',
      colour: '#0b5cad',
      privacy: '我们仅为答复您的咨询而保存聊天记录。',
    }),
    200,
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

const frames = new WeakMap<Page, string[]>();
/** Every frame the widget on `page` sent over its WebSocket. */
const framesSent = (page: Page) => frames.get(page) ?? [];

/** A customer on the appliance's demo page for `lang`, which embeds the widget with its one script tag. */
async function customer(lang: 'zh-CN' | 'en'): Promise<Page> {
  const ctx = await browser.newContext({
    locale: lang === 'en' ? 'en-US' : 'zh-CN',
    acceptDownloads: true,
    // axe-core is injected as an inline script, which the demo page's strict CSP would refuse.
    bypassCSP: true,
  });
  const page = await ctx.newPage();
  const sent: string[] = [];
  frames.set(page, sent);
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
  await page.goto(`${app.base}/widget/${lang === 'en' ? 'demo' : 'demo-zh'}.html`);
  return page;
}

/** Opens the widget by keyboard, fills the pre-chat form and sends one message with Enter. */
async function startChat(page: Page, name: string, text: string): Promise<void> {
  const launcher = page.getByTestId('bl-launcher');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  await launcher.focus();
  await page.keyboard.press('Enter');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  await page.getByTestId('bl-prechat-name').fill(name);
  await page.getByTestId('bl-prechat-start').click();
  const input = page.getByTestId('bl-input');
  await input.fill(text);
  await input.press('Enter');
  await page.getByTestId('bl-msg-me').first().waitFor({ timeout: 10_000 });
  assert.equal(await input.inputValue(), '', 'Enter sent the message');
}

async function axe(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
      }
    ).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${what}: axe-core found ${JSON.stringify(bad)}`);
}

type Offer = { offerId: string; taskId: string };
const offers = async () =>
  ((await agent.request('GET', '/api/routing/me/state')).json['offers'] ?? []) as Offer[];

const TEXT = {
  'zh-CN': {
    position2: '您当前排在第 2 位',
    next: '下一位就是您',
    connecting: '正在为您接通',
    typing: '坐席正在输入',
    label: '您的消息',
  },
  en: {
    position2: 'You are number 2 in the queue',
    next: 'You are next in line',
    connecting: 'Connecting you',
    typing: 'Agent is typing',
    label: 'Your message',
  },
} as const;

for (const lang of ['zh-CN', 'en'] as const) {
  test(`${lang}: greeting and privacy notice, a live queue position, typing both ways, a reply, the end state and a keyboard rating, with no serious axe violation`, async () => {
    const tx = TEXT[lang];
    const first = await customer(lang);
    const second = await customer(lang);
    try {
      await startChat(first, 'Zhao Lei', lang === 'en' ? 'I lost my bank card' : '我的银行卡丢了');
      assert.equal(await first.getByTestId('bl-greeting').textContent(), '您好，欢迎咨询示例银行！');
      assert.equal(
        await first.getByTestId('bl-privacy').textContent(),
        '我们仅为答复您的咨询而保存聊天记录。',
      );
      // The message box has an accessible name; the list announces new messages.
      assert.ok(await first.getByLabel(tx.label, { exact: true }).isVisible());
      assert.equal(await first.getByTestId('bl-list').getAttribute('aria-live'), 'polite');

      const wait1 = first.getByTestId('bl-wait');
      await until('the first customer is told they are next', async () =>
        (await wait1.getAttribute('data-position')) === '1' ? true : undefined,
      );
      assert.match((await wait1.textContent()) ?? '', new RegExp(`${tx.connecting}.*${tx.next}`));

      await startChat(second, 'Qian Wei', lang === 'en' ? 'Is my card blocked?' : '我的卡被冻结了吗？');
      const wait2 = second.getByTestId('bl-wait');
      await until('the second customer sees position 2', async () =>
        (await wait2.getAttribute('data-position')) === '2' ? true : undefined,
      );
      assert.match((await wait2.textContent()) ?? '', new RegExp(tx.position2));
      await axe(second, 'waiting with a position');

      // An agent becomes available: the first chat is offered, and the second customer moves up live.
      ok(await agent.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);
      const offer = await until('an offer for the first chat', async () => (await offers())[0]);
      await until('the second customer moves to position 1', async () =>
        (await wait2.getAttribute('data-position')) === '1' ? true : undefined,
      );
      ok(await agent.request('POST', `/api/routing/offers/${offer.offerId}/accept`), 200);
      const contactId = offer.taskId;
      await wait1.waitFor({ state: 'hidden' });

      // Typing both ways: the agent's indicator in the widget; the customer's typing goes to the server.
      ok(await agent.request('POST', `/api/webchat/contacts/${contactId}/typing`, { on: true }), 204);
      await first.getByTestId('bl-typing').waitFor();
      assert.match((await first.getByTestId('bl-typing').textContent()) ?? '', new RegExp(tx.typing));
      const mark = framesSent(first).length;
      await first.getByTestId('bl-input').pressSequentially('ok');
      await until('the widget tells the server the customer is typing', async () =>
        framesSent(first)
          .slice(mark)
          .some((f) => f.includes('"t":"typing"') && f.includes('"on":true'))
          ? true
          : undefined,
      );
      for (let i = 1; i <= 12; i++)
        ok(await agent.request('POST', `/api/contacts/${contactId}/reply`, { text: `reply ${i}` }), 201);
      await first.getByText('reply 12', { exact: true }).waitFor();
      await first.getByTestId('bl-typing').waitFor({ state: 'hidden' });
      // The newest reply is in view: the list is scrolled to its end.
      await until('the list scrolled to the newest message', async () =>
        (await first
          .getByTestId('bl-list')
          .evaluate(
            (e) => e.scrollHeight > e.clientHeight && e.scrollTop + e.clientHeight >= e.scrollHeight - 2,
          ))
          ? true
          : undefined,
      );
      // Attachments: the picker is a button; a wrong type or an oversize file is refused before any upload.
      const uploads: string[] = [];
      first.on('request', (r) => {
        if (r.url().endsWith('/widget/upload')) uploads.push(r.url());
      });
      const picker = first.getByTestId('bl-file');
      await picker.setInputFiles({
        name: 'setup.exe',
        mimeType: 'application/x-msdownload',
        buffer: Buffer.from('MZ'),
      });
      await first.getByTestId('bl-file-error').waitFor();
      await picker.setInputFiles({
        name: 'big.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.alloc(10 * 1024 * 1024 + 1),
      });
      await until('the size error', async () =>
        /10 MB/.test((await first.getByTestId('bl-file-error').textContent()) ?? '') ? true : undefined,
      );
      assert.equal(uploads.length, 0, 'nothing was uploaded for refused files');
      await picker.setInputFiles({
        name: 'note.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('account 1234'),
      });
      await first.getByTestId('bl-file-chip').waitFor();
      assert.equal(await first.getByTestId('bl-file-error').isVisible(), false);
      await first.getByTestId('bl-send').click();
      await first.getByTestId('bl-list').getByText('📎 note.txt').waitFor();
      assert.equal(uploads.length, 1);
      await axe(first, 'chatting');

      // The agent ends the chat on a narrow phone: the text box goes, the rating fits in one row.
      await first.setViewportSize({ width: 320, height: 640 });
      await first.getByTestId('bl-input').focus();
      ok(await agent.request('POST', `/api/contacts/${contactId}/transition`, { to: 'closed' }), 200);
      await first.getByTestId('bl-end').waitFor();
      assert.equal(await first.getByTestId('bl-input').isVisible(), false);
      const tops = await first
        .locator('.bl-num')
        .evaluateAll((es) => es.map((e) => Math.round(e.getBoundingClientRect().top)));
      assert.equal(tops.length, 5);
      assert.equal(new Set(tops).size, 1, `the five ratings sit in one row at 320 px: ${tops}`);
      const radios = first.getByRole('radio');
      assert.equal(await radios.count(), 5);
      assert.ok(
        await first
          .getByRole('radio', { name: lang === 'en' ? '1 Very dissatisfied' : '1 很不满意' })
          .count(),
      );
      assert.ok(
        await first.getByRole('radio', { name: lang === 'en' ? '5 Very satisfied' : '5 非常满意' }).count(),
      );
      await axe(first, 'the end of the chat');

      // Rating by keyboard only: focus moved to the scale when the text box went.
      await first.keyboard.press('ArrowRight');
      await first.keyboard.press('ArrowRight');
      await first.keyboard.press('ArrowRight');
      assert.equal(await first.getByTestId('bl-csat-4').isChecked(), true);
      await first.keyboard.press('Tab');
      await first.keyboard.press('Enter');
      await first.getByTestId('bl-csat-thanks').waitFor();
      await until('the rating is stored on the contact', async () => {
        const c = await agent.request('GET', `/api/contacts/${contactId}`);
        const contact = (c.json['contact'] ?? c.json) as { attributes?: Record<string, unknown> };
        return contact.attributes?.['csat'] === 4 ? true : undefined;
      });

      // The transcript downloads with the conversation in it.
      const [download] = await Promise.all([
        first.waitForEvent('download'),
        first.getByTestId('bl-transcript').click(),
      ]);
      const file = path.join(ARTIFACTS, `widget-transcript-${lang}.txt`);
      await download.saveAs(file);
      const transcript = await readFile(file, 'utf8');
      assert.match(transcript, /reply 12/);
      assert.match(transcript, lang === 'en' ? /I lost my bank card/ : /我的银行卡丢了/);

      // Start a new chat by keyboard; Escape closes the panel and returns focus to the launcher.
      await first.getByTestId('bl-new-chat').focus();
      await first.keyboard.press('Enter');
      await first.getByTestId('bl-input').waitFor();
      assert.equal(await first.getByTestId('bl-msg-agent').count(), 0);
      await first.keyboard.press('Escape');
      await first.getByTestId('bl-panel').waitFor({ state: 'hidden' });
      assert.equal(await first.getByTestId('bl-launcher').getAttribute('aria-expanded'), 'false');
      assert.equal(
        await first.evaluate(() =>
          document.activeElement?.shadowRoot?.activeElement?.getAttribute('data-testid'),
        ),
        'bl-launcher',
      );

      // Leave the branch empty for the next language: the second chat is answered and closed.
      const next = await until('the second chat offered', async () => (await offers())[0]);
      ok(await agent.request('POST', `/api/routing/offers/${next.offerId}/accept`), 200);
      ok(await agent.request('POST', `/api/contacts/${next.taskId}/transition`, { to: 'closed' }), 200);
      ok(await agent.request('PUT', '/api/routing/me/state', { state: 'offline' }), 200);
    } catch (e) {
      await first
        .screenshot({ path: path.join(ARTIFACTS, `widget-product-${lang}-first.png`) })
        .catch(() => 0);
      await second
        .screenshot({ path: path.join(ARTIFACTS, `widget-product-${lang}-second.png`) })
        .catch(() => 0);
      throw e;
    } finally {
      await first.context().close();
      await second.context().close();
    }
  });
}
