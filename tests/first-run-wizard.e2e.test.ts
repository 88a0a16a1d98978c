// Issue 12, must show: a fresh appliance set up in Chromium, in zh-CN, with no API
// call or JSON typed for the user's steps. The admin signs in with the printed
// one-time password, changes it, enrols MFA (QR shown, secret read from the page),
// then the wizard: branch, opening hours and a holiday, a queue and its skill (a bad
// condition refused, naming the field), an agent (one-time password read from the
// page), the agent's desk phone, web chat for a page served on another port (the
// embed snippet read from the wizard and pasted into that page). The agent signs in
// in a second browser, goes ready, and handles a chat from that page; then a sipp
// trunk call runs through the default IVR to the agent's desk phone.
// Screenshots of every step land in test-artifacts/first-run-*.png.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { zhCN } from '../web/src/i18n/zh-CN.ts';
import { initialPassword, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { totpCode } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { TESTDATA } from './voice-support/e2e.ts';
import { run } from './voice-support/util.ts';

let app: RunningAppliance;
let browser: Browser;
let site: Server;
let sitePort: number;
let snippet = '';
const dirs: Array<{ cleanup: () => Promise<void> }> = [];
const closers: Array<() => void> = [];
const cspErrors: string[] = [];

before(async () => {
  const tmp = await tempDataDir('bl-first-run-');
  dirs.push(tmp);
  // Trunk calls are trusted by source address (an appliance setting, as the operator guide says).
  app = await startAppliance(tmp.dir, { env: { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1' } });
  browser = await launchChromium();
  sitePort = await freePort();
  // The customer's own web site, on another origin: a page with whatever tag the wizard gave.
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>示例银行</title></head>
<body><h1>示例银行 · 网上服务</h1>${snippet}</body></html>`);
  });
  await new Promise<void>((r) => site.listen(sitePort, '127.0.0.1', r));
  console.log(`# screenshots in ${ARTIFACTS}/first-run-*.png`);
});
after(async () => {
  for (const c of closers) c();
  await browser?.close();
  site?.close();
  await app?.stop();
  for (const d of dirs) await d.cleanup();
});

async function newPage(locale = 'zh-CN'): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `first-run-${name}.png`), fullPage: true });

const textOf = async (page: Page, testid: string) =>
  ((await page.getByTestId(testid).textContent()) ?? '').trim();

test('a fresh appliance is set up by its wizard in zh-CN and its agent handles a widget chat and a trunk call', {
  timeout: 240_000,
}, async () => {
  const admin = await newPage();
  const pages: Record<string, Page> = { admin };
  try {
    // First sign-in with the printed one-time password, forced change (confirm must match), MFA.
    await admin.goto(app.httpsBase);
    await admin.getByTestId('login-username').fill('admin');
    await admin.getByTestId('login-password').fill(initialPassword(app));
    await admin.getByTestId('login-submit').click();
    await admin.getByTestId('pw-current').fill(initialPassword(app));
    await admin.getByTestId('pw-new').fill('管理员的新密码 admin 2026');
    await admin.getByTestId('pw-confirm').fill('a different password 2026');
    await admin.getByTestId('pw-submit').click();
    await admin.getByTestId('pw-mismatch').waitFor();
    await admin.getByTestId('pw-confirm').fill('管理员的新密码 admin 2026');
    await shot(admin, '01-password');
    await admin.getByTestId('pw-submit').click();

    await admin.getByTestId('mfa-qr').waitFor();
    const secret = await textOf(admin, 'mfa-secret');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    await shot(admin, '02-mfa-qr');
    await admin.getByTestId('mfa-code').fill(totpCode(secret));
    await admin.getByTestId('mfa-submit').click();

    // Home shows the setup checklist until the wizard is done.
    await admin.getByTestId('home-setup-checklist').waitFor();
    assert.equal(await admin.getByTestId('home-setup-branch').getAttribute('data-state'), 'pending');
    await shot(admin, '03-home-checklist');
    await admin.getByTestId('home-setup-continue').click();

    // 1. Branch.
    await admin.getByTestId('setup-step-branch').waitFor();
    await admin.getByTestId('setup-branch-name').fill('示例银行 浦东支行');
    await admin.getByTestId('setup-branch-id').fill('SH01');
    await admin.getByTestId('setup-branch-language').selectOption('zh-CN');
    await admin.getByTestId('setup-branch-timezone').selectOption('Asia/Shanghai');
    await admin.getByTestId('setup-branch-region').fill('CN');
    await shot(admin, '04-branch');
    await admin.getByTestId('setup-save').click();

    // 2. Opening hours: every day, midnight to midnight (so the call below finds it open), and a holiday.
    await admin.getByTestId('setup-step-hours').waitFor();
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) {
      const open = admin.getByTestId(`setup-hours-open-${day}`);
      if (!(await open.isChecked())) await open.check();
      await admin.getByTestId(`setup-hours-from-${day}`).fill('00:00');
      await admin.getByTestId(`setup-hours-to-${day}`).fill('00:00');
    }
    await admin.getByTestId('setup-holiday-date').fill('2030-10-01');
    await admin.getByTestId('setup-holiday-add').click();
    await admin.getByTestId('setup-holiday-remove-2030-10-01').waitFor();
    await shot(admin, '05-hours');
    await admin.getByTestId('setup-save').click();
    await admin.getByTestId('setup-step-queue').waitFor();

    // Progress is kept by the appliance: a reload resumes at the first open step.
    await admin.reload();
    await admin.locator('[data-testid="setup-nav-hours"][data-state="done"]').waitFor();

    // 3. The first queue and its skill, by name; a condition naming an unknown skill, then one that
    // does not parse, are refused with the field named; then the plain "needs the skill" choice.
    await admin.getByTestId('setup-step-queue').waitFor();
    await admin.getByTestId('setup-skill-name').fill('信用卡');
    await admin.getByTestId('setup-skill-id').fill('cards');
    await admin.getByTestId('setup-skill-add').click();
    await admin.getByTestId('setup-queue-name').fill('零售业务');
    await admin.getByTestId('setup-queue-id').fill('retail');
    await admin.getByTestId('setup-queue-expression').fill('skills.loans >= 1');
    await admin.getByTestId('setup-save').click();
    await admin.locator('[data-testid="setup-error"][data-code="SETUP_INVALID_FIELD"]').waitFor();
    assert.match(await textOf(admin, 'setup-error-field'), /agentExpression/);
    await admin.getByTestId('setup-queue-expression').fill('((');
    await admin.getByTestId('setup-save').click();
    await admin.locator('[data-testid="setup-error"][data-code="ROUTING_EXPRESSION_INVALID"]').waitFor();
    const refused = await textOf(admin, 'setup-error');
    assert.match(refused, /[\u4e00-\u9fff]/, `the refusal is in Chinese: ${refused}`);
    await shot(admin, '06-queue-refused');
    await admin.getByTestId('setup-queue-expression').fill('');
    await admin.getByTestId('setup-queue-skill').selectOption('cards');
    await shot(admin, '07-queue');
    await admin.getByTestId('setup-save').click();

    // 4. An agent with the skill; the one-time password is read from the page.
    await admin.getByTestId('setup-step-agents').waitFor();
    await admin.getByTestId('setup-agent-username').fill('agent.wang');
    await admin.getByTestId('setup-agent-displayname').fill('王芳');
    await admin.getByTestId('setup-agent-skill-cards').selectOption('3');
    await admin.getByTestId('setup-save').click();
    const otp = await textOf(admin, 'setup-agent-otp-agent.wang');
    assert.ok(otp.length >= 12, 'a one-time password is shown once');
    await until('the invitation saved (form cleared)', async () =>
      (await admin.getByTestId('setup-agent-username').inputValue()) === '' ? true : undefined,
    );
    await shot(admin, '08-agent');
    await admin.getByTestId('setup-agents-next').click();

    // 5. The agent's desk phone (the SIP address is read from the page too).
    await admin.getByTestId('setup-step-voice').waitFor();
    await admin.locator('[data-testid="setup-phone-agent"] option').first().waitFor({ state: 'attached' });
    const server = await until('the SIP address on the page', async () => {
      const s = await textOf(admin, 'setup-sip-server');
      return /:\d+$/.test(s) ? s : undefined;
    });
    const sipPort = Number(server.split(':').pop());
    const phone = new AgentUa(
      { host: '127.0.0.1', port: sipPort },
      { user: '8001', password: 'desk phone secret 8001', audio: Buffer.alloc(1600, 0xff) },
    );
    await phone.start();
    closers.push(() => phone.close());
    await admin.getByTestId('setup-phone-extension').fill('8001');
    await admin.getByTestId('setup-phone-password').fill('desk phone secret 8001');
    await admin.getByTestId('setup-phone-add').click();
    await admin.getByTestId('setup-deskphones').getByText('8001').waitFor();
    await shot(admin, '09-desk-phone');

    // The test call: refused in Chinese while the phone is not registered; once the phone registers
    // with what the wizard set, the step shows it and the test call rings it (it is answered).
    const deskRow = admin.getByTestId('setup-phone-8001');
    assert.equal(await deskRow.getByTestId('phone-registered').getAttribute('data-registered'), 'false');
    await deskRow.getByTestId('phone-test-call').click();
    const refusal = deskRow.getByTestId('phone-row-error');
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute('data-code'), 'VOICE_PHONE_NOT_REGISTERED');
    assert.equal(await refusal.textContent(), zhCN['error.VOICE_PHONE_NOT_REGISTERED']);
    assert.equal(phone.invites, 0);
    await shot(admin, '09a-test-call-refused');
    assert.equal(await phone.register(), 200);
    await deskRow.locator('[data-testid="phone-registered"][data-registered="true"]').waitFor();
    assert.equal(await deskRow.getByTestId('phone-registered').textContent(), zhCN['phones.registered']);
    await deskRow.getByTestId('phone-test-call').click();
    await deskRow.locator('[data-testid="phone-test-call-state"][data-state="answered"]').waitFor();
    assert.equal(
      await deskRow.getByTestId('phone-test-call-ok').textContent(),
      zhCN['phones.testCallAnswered'].replace('{name}', '8001'),
    );
    assert.equal(await deskRow.getByTestId('phone-row-error').count(), 0, 'the refusal is gone');
    assert.equal(phone.invites, 1, 'the desk phone received the INVITE');
    await shot(admin, '09b-test-call-rung');
    // The prompt plays, then the appliance hangs up; the trunk call below must hear only the caller.
    await until('the appliance hangs up the test call', () => (phone.byes >= 1 ? true : undefined), {
      timeoutMs: 40_000,
    });
    phone.received.length = 0;
    await admin.getByTestId('setup-save').click();

    // 6. Web chat for the customer's site; the embed snippet is read from the page.
    await admin.getByTestId('setup-step-webchat').waitFor();
    await admin.getByTestId('setup-webchat-origins').fill(`http://127.0.0.1:${sitePort}`);
    await admin.getByTestId('setup-webchat-greeting').fill('您好，欢迎咨询示例银行！');
    await admin.getByTestId('setup-save').click();
    snippet = await textOf(admin, 'setup-webchat-snippet');
    assert.match(snippet, /^<script src="https:\/\/127\.0\.0\.1:\d+\/widget\/widget\.js" .*><\/script>$/);
    await shot(admin, '10-webchat-snippet');
    await admin.getByTestId('setup-save').click();

    // 7–9. Email (set by the environment today), WeChat callback URL, Join HQ.
    await admin.getByTestId('setup-step-email').waitFor();
    await shot(admin, '11-email');
    await admin.getByTestId('setup-skip').click();
    await admin.getByTestId('setup-step-wechat').waitFor();
    assert.equal(
      await textOf(admin, 'setup-callback-wechat'),
      `${app.httpsBase}/api/channels/wechat/callback`,
    );
    await shot(admin, '12-wechat');
    await admin.getByTestId('setup-save').click();
    await admin.getByTestId('setup-step-hq').waitFor();
    // Another engineer's Join HQ page is in this console: the step links to it (else a placeholder shows).
    await admin
      .locator('[data-testid="setup-hq-open"], [data-testid="setup-hq-placeholder"]')
      .first()
      .waitFor();
    assert.match(
      await admin
        .locator('[data-testid="setup-hq-open"], [data-testid="setup-hq-placeholder"]')
        .first()
        .innerText(),
      /[\u4e00-\u9fff]/,
    );
    await shot(admin, '13-hq');
    await admin.getByTestId('setup-save').click();

    // Done: home has no checklist any more, but the appliance's health.
    await admin.getByTestId('home-admin').waitFor();
    assert.equal(await admin.getByTestId('home-setup-checklist').count(), 0);
    await shot(admin, '14-home-admin');

    // The agent, in a second browser (set to English): sign in with the one-time password, change
    // it, go ready. Once signed in, the console speaks the branch's language chosen in the wizard.
    const agent = await newPage('en-US');
    pages['agent'] = agent;
    await agent.goto(app.httpsBase);
    await agent.getByTestId('login-username').fill('agent.wang');
    await agent.getByTestId('login-password').fill(otp);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('pw-current').fill(otp);
    await agent.getByTestId('pw-new').fill('王芳的新密码 agent 2026');
    await agent.getByTestId('pw-confirm').fill('王芳的新密码 agent 2026');
    await agent.getByTestId('pw-submit').click();
    await agent.getByTestId('home-agent').waitFor();
    await until('the console in the branch language', async () =>
      /[\u4e00-\u9fff]/.test(await textOf(agent, 'home-agent-desk')) ? true : undefined,
    );
    await agent.getByTestId('home-agent-desk').click();
    await agent.getByTestId('agent-state').selectOption('available');
    await agent.getByTestId('agent-no-offers').waitFor();
    await shot(agent, '15-agent-ready');

    // A customer on the other site chats through the pasted widget.
    const visitor = await newPage();
    pages['visitor'] = visitor;
    await visitor.goto(`http://127.0.0.1:${sitePort}/`);
    await visitor.getByTestId('bl-launcher').click();
    assert.equal(await textOf(visitor, 'bl-greeting'), '您好，欢迎咨询示例银行！');
    await visitor.getByTestId('bl-prechat-name').fill('赵磊');
    await visitor.getByTestId('bl-prechat-phone').fill('13800138000');
    await visitor.getByTestId('bl-prechat-start').click();
    await visitor.getByTestId('bl-input').fill('我的信用卡被吞了');
    await visitor.getByTestId('bl-send').click();
    await shot(visitor, '16-widget-on-customer-site');

    await agent.getByTestId('offer-pop').waitFor({ timeout: 15_000 });
    await shot(agent, '17-chat-offer');
    await agent.getByTestId('offer-accept').click();
    await agent.locator('[data-testid="conversation-view"][data-state="active"]').waitFor();
    assert.equal(await textOf(agent, 'conv-message-text'), '我的信用卡被吞了');
    await agent.getByTestId('composer-text').fill('已为您冻结该卡，新卡将寄出。');
    await agent.getByTestId('composer-send').click();
    const reply = visitor.getByTestId('bl-msg-agent').first();
    await reply.waitFor({ timeout: 10_000 });
    assert.equal((await reply.textContent())?.trim(), '已为您冻结该卡，新卡将寄出。');
    await shot(visitor, '18-widget-reply');
    await agent.getByTestId('wrapup-start').click();
    await agent.getByTestId('wrapup-code').selectOption('resolved');
    await agent.getByTestId('wrapup-finish').click();
    await agent.getByTestId('inbox-empty').waitFor();

    // The desk phone registered with what the wizard set (above); a sipp trunk call runs the default IVR
    // (open → greeting → queue) and the agent takes it: the phone rings, answers, and hears the caller.

    const work = await tempDataDir('bl-first-run-sipp-');
    dirs.push(work);
    await run('sox', [
      ...['-n', '-r', '8000', '-c', '1', '-e', 'u-law', path.join(work.dir, 'caller.wav')],
      ...['synth', '3', 'sine', '440'],
    ]);
    const scenario = path.join(work.dir, 'call.xml');
    await writeFile(scenario, await readFile(path.join(TESTDATA, 'trunk-call.xml'), 'utf8'));
    const sipp = spawn(
      'sipp',
      [
        ...[`127.0.0.1:${sipPort}`, '-sf', scenario, '-m', '1', '-i', '127.0.0.1'],
        ...['-p', String(await freePort()), '-mp', String(await freePort()), '-timeout', '60s', '-nostdin'],
        '-timeout_error',
      ],
      { cwd: work.dir, stdio: 'ignore' },
    );
    closers.push(() => sipp.kill('SIGKILL'));
    const sippDone = new Promise<number | null>((r) => sipp.once('exit', (code) => r(code)));

    await agent.getByTestId('offer-pop').waitFor({ timeout: 20_000 });
    await shot(agent, '19-call-offer');
    await agent.getByTestId('offer-accept').click();
    const heard = await until(
      "the caller's tone at the desk phone",
      () => {
        const loud = phone.received.filter((p) => p.some((b) => b !== 0xff && b !== 0x7f)).length;
        return loud >= 25 ? loud : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.ok(heard >= 25, `${heard} packets of the caller's tone reached the desk phone`);
    await shot(agent, '20-call-connected');
    assert.equal(await sippDone, 0, 'the sipp call completed');
    assert.deepEqual(cspErrors, [], 'no CSP violations');
  } catch (err) {
    for (const [key, page] of Object.entries(pages))
      await shot(page, `failure-${key}`).catch(() => undefined);
    throw err;
  }
});
