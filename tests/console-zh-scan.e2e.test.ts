// The untranslated-string scan (issue 13): on a fresh appliance with a little
// data made through the product (a web chat an agent accepts, answers and wraps
// up, a ticket moved on once), an admin and an auditor open EVERY console page
// of web/src/panels/registry.ts in zh-CN Chromium, and the test fails on any
// visible text (text nodes, options of visible selects, placeholders) holding a
// Latin-only word outside the allow-list below. A screenshot per page is saved
// under test-artifacts/zh-scan-<route>.png.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chatAgent, ok, openDesk, startChat, useInboxHarness } from './inbox-helpers.ts';
import { ROOT } from './support/appliance.ts';
import { totpCode } from './support/bootstrap.ts';
import { ARTIFACTS, signedInContext } from './support/browser.ts';
import { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

const h = useInboxHarness('zh-scan');

/**
 * Latin words a zh-CN page may show, and why:
 * - product and protocol names a Chinese operator uses as they are (Branchline,
 *   WeChat/WeCom brand names are shown translated, but AppID/corp id fields
 *   name the vendor's own terms): SIP, HQ, CSV, XLSX, JSONL, CRM, IVR, SMTP,
 *   IMAP, TLS, STARTTLS, SSL, URL, API, AppID, AppSecret, Token,
 *   EncodingAESKey, CorpID, AgentID, open_kfid, TOTP, UTC, IP, DTMF, AES, CA,
 *   PEM, QR, SLA, KB, ID, PSTN, TTS, ASR, MFA, CPU, RAM, GB, MB, KB, ms;
 * - what this test typed: the users it created and the visitor's name.
 */
const ALLOWED = new Set([
  'Branchline',
  'WeChat',
  'WeCom',
  'SIP',
  'HQ',
  'CSV',
  'XLSX',
  'JSONL',
  'JSON',
  'CRM',
  'IVR',
  'SMTP',
  'IMAP',
  'TLS',
  'STARTTLS',
  'SSL',
  'URL',
  'API',
  'AppID',
  'AppSecret',
  'Token',
  'EncodingAESKey',
  'CorpID',
  'AgentID',
  'open_kfid',
  'TOTP',
  'UTC',
  'IP',
  'DTMF',
  'AES',
  'CA',
  'PEM',
  'QR',
  'SLA',
  'KB',
  'ID',
  'PSTN',
  'TTS',
  'ASR',
  'MFA',
  'GB',
  'MB',
  'ms',
  'Erlang', // Erlang C, the staffing formula's name
  'English', // the language picker names each language in itself
  'Administrator', // the display name the appliance gives its first admin account (a user name)
  'CN', // the ISO region code, as the wizard's example of what to type
  // created by this test (user names, the visitor's name, the chat queue and skill)
  'Chat',
  'Cards',
  'admin',
  'zh.agent',
  'audit.li',
  'Zhao',
  'Lei',
]);

/** Shown on purpose as they are: e-mail addresses, web addresses, ticket numbers, IP addresses, times zones. */
const VERBATIM = [
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g,
  /\bhttps?:\/\/\S+/g,
  /\bwss?:\/\/\S+/g,
  /\b[A-Z]{1,5}-\d{4,}\b/g,
  // IANA time zone names (the wizard's zone picker), as the operating system names them
  /\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/[A-Za-z0-9_/+-]+/g,
  // settings names an operator sets in the appliance's environment
  /\bBRANCHLINE_[A-Z_]+\b/g,
  // the object filter's syntax, as its placeholder example
  /\bticket:42\b/g,
  // UUIDs
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g,
];

/** Routes and permissions of every console page, read from the registry. */
function consolePages(): { route: string; permissions: string[] }[] {
  const text = readFileSync(path.join(ROOT, 'web/src/panels/registry.ts'), 'utf8');
  const body = text.slice(text.indexOf('export const PANELS'));
  return [...body.matchAll(/route: '([^']+)',\s*permissions: \[([^\]]*)\]/g)].map((m) => ({
    route: m[1] ?? '',
    permissions: [...(m[2] ?? '').matchAll(/'([^']+)'/g)].map((p) => p[1] ?? ''),
  }));
}

/** The visible strings of the page: text nodes, options of visible selects, placeholders. */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // (No helper functions in here: tsx would wrap them in a __name() the page does not have.)
    const out: string[] = [];
    // Code and what is marked not-to-translate is shown on purpose as it is (embed snippets, keys).
    const verbatim = 'script,style,noscript,code,pre,kbd,samp,[translate="no"]';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim() ?? '';
      const el = n.parentElement;
      if (!text || !el || el.closest(verbatim)) continue;
      const box = el.closest('select') ?? el;
      if (box.getClientRects().length === 0 || getComputedStyle(box).visibility === 'hidden') continue;
      out.push(text);
    }
    for (const el of Array.from(document.querySelectorAll('[placeholder]')))
      if (el.getClientRects().length > 0 && !el.closest(verbatim))
        out.push(el.getAttribute('placeholder') ?? '');
    return out;
  });
}

/** The Latin words of `text` that are not allowed, after removing what is shown verbatim. */
export function latinWords(text: string): string[] {
  let rest = text;
  for (const re of VERBATIM) rest = rest.replace(re, ' ');
  return (rest.match(/[A-Za-z][A-Za-z0-9_.'’-]*[A-Za-z0-9]/g) ?? [])
    .map((w) => w.replace(/[.'’-]+$/, ''))
    .filter((w) => /[A-Za-z].*[A-Za-z]/.test(w) && !ALLOWED.has(w));
}

/** Waits until the page stops changing (two equal reads, nothing loading), then returns its texts. */
async function settledTexts(page: Page, route: string): Promise<string[]> {
  let last = '';
  return until(
    `${route} to settle`,
    async () => {
      const texts = await visibleTexts(page);
      const joined = texts.join('\n');
      const loading = /加载中|Loading/.test(joined);
      const same = joined === last;
      last = joined;
      return same && !loading && texts.length > 0 ? texts : undefined;
    },
    { timeoutMs: 15_000, everyMs: 250 },
  );
}

async function zhContext(browser: Browser, client: ApiClient): Promise<BrowserContext> {
  const ctx = await signedInContext(browser, client, { locale: 'zh-CN' });
  await ctx.addInitScript(() => localStorage.setItem('branchline.locale', 'zh-CN'));
  return ctx;
}

/** An auditor (an MFA role) through first sign-in, password change and TOTP enrolment. */
async function signedInAuditor(admin: ApiClient): Promise<ApiClient> {
  const created = await admin.request('POST', '/api/users', {
    username: 'audit.li',
    displayName: '李审计',
    roles: ['auditor'],
  });
  ok(created, 201);
  const first = new ApiClient(h.app.base);
  ok(await first.login('audit.li', created.json['oneTimePassword']), 200);
  const password = 'auditor password 2026 long';
  const changed = await first.request('POST', '/api/auth/password', {
    currentPassword: created.json['oneTimePassword'],
    newPassword: password,
  });
  assert.ok(changed.status < 300, JSON.stringify(changed.json));
  const setup = await first.request('POST', '/api/auth/mfa/setup', {});
  ok(setup, 200);
  const secret = setup.json['secret'] as string;
  const confirmed = await first.request('POST', '/api/auth/mfa/confirm', { code: totpCode(secret) });
  assert.ok(confirmed.status < 300, JSON.stringify(confirmed.json));
  const auditor = new ApiClient(h.app.base);
  ok(await auditor.login('audit.li', password, totpCode(secret, 1)), 200);
  return auditor;
}

/** A web chat accepted, answered and wrapped up by an agent; a ticket created and moved on once. */
async function seed(admin: ApiClient): Promise<Browser> {
  const password = 'zh scan agent password 2026';
  await chatAgent(admin, 'zh.agent', password);
  const desk = await h.newPage();
  const visitor = await h.newPage();
  await openDesk(desk, h.app.httpsBase, 'zh.agent', password);
  await startChat(visitor, h.app.base, '我的银行卡丢了，怎么挂失？');
  await desk.getByTestId('offer-pop').waitFor({ timeout: 10_000 });
  await desk.getByTestId('offer-accept').click();
  await desk.locator('[data-testid="conversation-view"][data-state="active"]').waitFor();
  await desk.getByTestId('composer-text').fill('您好，已为您挂失银行卡。还有其他问题吗？');
  await desk.getByTestId('composer-send').click();
  await visitor.getByTestId('bl-msg-agent').first().waitFor({ timeout: 10_000 });
  await desk.getByTestId('wrapup-start').click();
  await desk.getByTestId('wrapup-code').selectOption('resolved');
  await desk.getByTestId('wrapup-finish').click();
  await desk.locator('[data-testid="conv-closed"][data-code="resolved"]').waitFor();
  const browser = desk.context().browser() ?? assert.fail('the page has no browser');
  await desk.context().close();
  await visitor.context().close();

  const ticket = await admin.request('POST', '/api/tickets', {
    subject: '银行卡挂失后补卡',
    description: '客户在网页咨询中挂失了银行卡，需要补办新卡。',
    priority: 'high',
  });
  ok(ticket, 201);
  const moved = await admin.request('POST', `/api/tickets/${ticket.json['id']}/transitions`, { to: 'open' });
  assert.ok(moved.status < 300, JSON.stringify(moved.json));
  return browser;
}

test('every console page in zh-CN shows no Latin-only words outside the allow-list', async () => {
  const browser = await seed(h.admin);
  const auditor = await signedInAuditor(h.admin);
  const adminCtx = await zhContext(browser, h.admin);
  const auditorCtx = await zhContext(browser, auditor);
  const pages = consolePages();
  assert.ok(pages.length >= 20, `only ${pages.length} pages read from the registry`);
  const findings: string[] = [];
  const visited: string[] = [];
  for (const { route, permissions } of pages) {
    const ctx = permissions.every((p) => p.startsWith('audit.')) ? auditorCtx : adminCtx;
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${h.app.httpsBase}/${route}`);
    const shown = await page
      .locator('main#main')
      .waitFor({ timeout: 20_000 })
      .then(() => true)
      .catch(() => false);
    if (!shown) {
      await page.screenshot({ path: path.join(ARTIFACTS, `zh-scan-${route}-failed.png`) });
      assert.fail(`the ${route} page did not render: ${errors.join('; ') || 'no page error'}`);
    }
    const texts = await settledTexts(page, route);
    await page.screenshot({ path: path.join(ARTIFACTS, `zh-scan-${route}.png`), fullPage: true });
    visited.push(route);
    for (const text of new Set(texts)) {
      const words = latinWords(text);
      if (words.length) findings.push(`${route}: ${words.join(' ')}  ←  "${text.slice(0, 120)}"`);
    }
    await page.close();
  }
  assert.deepEqual(
    visited,
    pages.map((p) => p.route),
  );
  const unique = [...new Set(findings)];
  writeFileSync(path.join(ARTIFACTS, 'zh-scan-findings.txt'), unique.join('\n'));
  assert.equal(unique.length, 0, `Latin words on zh-CN pages:\n${unique.join('\n')}`);
});

test('the scan flags Latin words and passes allowed names, addresses and ticket numbers', () => {
  assert.deepEqual(latinWords('未就绪：after_call_work'), ['after_call_work']);
  assert.deepEqual(latinWords('新的webchat会话'), ['webchat']);
  assert.deepEqual(latinWords('工单 TK-000001 · zh.agent · li@example.com · Branchline'), []);
});
