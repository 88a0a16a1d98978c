// Issue 12, "every configuration object has a form" for tickets and the knowledge
// base: in Chromium, zh-CN, on a fresh appliance, with no API call and no JSON typed
// in the user's steps. The admin builds a workflow on its diagram (an invalid
// transition shows its error on the arrow), creates a department with a member
// picked by name, an SLA policy with a business calendar and escalation rules
// (users and departments picked by name; added, reopened, removed), a KB category and an
// article in it; deleting the department a ticket uses is refused with the list.
// The API is used only to create the fixture user and to read back what was saved.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { zhCN } from '../web/src/i18n/zh-CN.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';

let app: RunningAppliance;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-ticket-forms-');
  cleanup = tmp.cleanup;
  // Generous start-up: this box's two cores are shared with other test runs.
  app = await startAppliance(tmp.dir, { timeoutMs: 180_000 });
  ({ admin } = await bootstrapAdmin(app));
  await createSignedInUser(admin, 'wang.l1', ['agent'], 'engineer password forms 1');
  browser = await launchChromium();
  const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
  page = await ctx.newPage();
  await page.goto(app.base);
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

const shot = (name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `ticket-forms-${name}.png`), fullPage: true });

const node = (id: string) => page.locator(`[data-testid="wf-node"][data-state="${id}"]`);
const edge = (from: string, to: string) =>
  page.locator(`[data-testid="wf-edge"][data-from="${from}"][data-to="${to}"]`);

async function addState(id: string, zh: string, en: string, category: string): Promise<void> {
  await page.getByTestId('wf-add-state').click();
  const idBox = page.getByTestId('wf-state-id');
  await idBox.fill(id);
  await idBox.press('Enter');
  await node(id).waitFor();
  await page.getByTestId('wf-state-label-zh').fill(zh);
  await page.getByTestId('wf-state-label-en').fill(en);
  await page.getByTestId('wf-state-category').selectOption(category);
}

async function addTransition(from: string, to: string): Promise<void> {
  await node(from).click();
  await page.getByTestId('wf-add-transition').click();
  await page.getByTestId('wf-transition-to').selectOption(to);
  // A level arrow has no height, so Playwright calls it hidden: wait for it in the DOM.
  await edge(from, to).waitFor({ state: 'attached' });
}

test('a workflow new → L1 → L2 → resolved is built on its diagram, an invalid transition shows its error there, then it is published', {
  timeout: 90_000,
}, async () => {
  await page.getByTestId('nav-ticket-admin').click();
  await page.getByTestId('wf-new').click();
  await page.getByTestId('wf-id').fill('escalation');
  await page.getByTestId('wf-name').fill('二线升级流程');
  await node('new').click();
  await page.getByTestId('wf-state-label-zh').fill('新建');
  await page.getByTestId('wf-state-label-en').fill('New');
  await addState('l1', '一线处理', 'L1', 'open');
  await addState('l2', '二线处理', 'L2', 'open');
  await addState('resolved', '已解决', 'Resolved', 'closed');
  await addTransition('new', 'l1');
  await addTransition('l1', 'l2');
  await page.getByTestId('wf-transition-name').fill('升级');
  await page.getByTestId('wf-guard-level').fill('L1');
  await addTransition('l2', 'resolved');

  // An arrow from "resolved" back to itself: the appliance refuses it, and the error sits on that arrow.
  await addTransition('resolved', 'l1');
  await page.getByTestId('wf-transition-to').selectOption('resolved');
  await page.getByTestId('wf-publish').click();
  const problem = edge('resolved', 'resolved').getByTestId('wf-problem');
  await problem.waitFor({ timeout: 15_000 });
  assert.equal((await problem.textContent())?.trim(), zhCN['tickets.wf.problem.self_loop']);
  assert.equal(await edge('resolved', 'resolved').getAttribute('data-invalid'), 'true');
  await shot('workflow-invalid');
  assert.equal(await page.getByTestId('wf-published').count(), 0, 'an invalid workflow was published');

  await edge('resolved', 'resolved').click();
  await page.getByTestId('wf-transition-remove').click();
  await page.getByTestId('wf-publish').click();
  await page.getByTestId('wf-published').waitFor({ timeout: 15_000 });
  assert.equal(
    (await page.getByTestId('wf-published').textContent())?.trim(),
    zhCN['tickets.wf.published'].replace('{version}', '1'),
  );
  assert.equal(await page.getByTestId('wf-problem').count(), 0);
  const labels = await page.getByTestId('wf-node-label').allTextContents();
  assert.deepEqual(labels, ['新建', '一线处理', '二线处理', '已解决']);
  const edges = await page
    .getByTestId('wf-edge')
    .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}`));
  assert.deepEqual(edges, ['new->l1', 'l1->l2', 'l2->resolved']);
  assert.equal(
    (await edge('l1', 'l2').getByTestId('wf-edge-label').textContent())?.trim(),
    `升级 · ${zhCN['tickets.wf.guardPassed'].replace('{level}', 'L1')}`,
  );
  await shot('workflow-published');

  const stored = await admin.request('GET', '/api/ticket-workflows/escalation/versions/1');
  assert.equal(stored.status, 200);
  assert.deepEqual(stored.json.transitions[1], {
    from: 'l1',
    to: 'l2',
    name: '升级',
    guards: [{ kind: 'passed_level', level: 'L1' }],
  });
  assert.deepEqual(stored.json.states[1], {
    id: 'l1',
    labels: { 'zh-CN': '一线处理', en: 'L1' },
    category: 'open',
  });
});

test('a department is created with a member picked by name and a level, then opened again from the list', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('ticket-admin-tab-departments').click();
  await page.getByTestId('dept-new').click();
  await page.getByTestId('dept-name').fill('银行卡业务部');
  await page.getByTestId('dept-add-member').selectOption({ label: 'wang.l1 (wang.l1)' });
  await page.getByTestId('dept-member-level').fill('L1');
  await page.getByTestId('dept-save').click();
  const row = page.getByTestId('dept-row').filter({ hasText: '银行卡业务部' });
  await row.waitFor({ timeout: 15_000 });
  assert.match((await row.textContent()) ?? '', /wang\.l1 · L1/);
  await row.getByTestId('dept-open').click();
  assert.equal(await page.getByTestId('dept-name').inputValue(), '银行卡业务部');
  assert.equal(await page.getByTestId('dept-member-level').inputValue(), 'L1');
  assert.match((await page.getByTestId('dept-member').textContent()) ?? '', /wang\.l1/);
  assert.doesNotMatch((await page.getByTestId('dept-form').textContent()) ?? '', /dept-[a-z0-9]{6}/);
  await shot('department');
  await page.getByTestId('dept-back').click();
  const stored = await admin.request('GET', '/api/departments');
  const users = await admin.request('GET', '/api/users');
  const wang = users.json.users.find((u: { username: string }) => u.username === 'wang.l1');
  assert.deepEqual(
    stored.json.departments.map((d: { name: string; members: unknown }) => [d.name, d.members]),
    [['银行卡业务部', [{ userId: wang.id, level: 'L1' }]]],
  );
});

test('an SLA policy is made with targets per priority and a business calendar on the shared week picker', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('ticket-admin-tab-sla').click();
  await page.getByTestId('sla-new').click();
  await page.getByTestId('sla-name').fill('贵宾服务');
  await page.getByTestId('sla-urgent-first').fill('15');
  await page.getByTestId('sla-urgent-resolution').fill('120');
  await page.getByTestId('sla-normal-first').fill('60');
  await page.getByTestId('sla-hours-open-Sat').check();
  await page.getByTestId('sla-hours-from-Sat').fill('10:00');
  await page.getByTestId('sla-hours-to-Sat').fill('14:00');
  await page.getByTestId('sla-holiday').fill('2026-10-01');
  await page.getByTestId('sla-holiday-add').click();
  await shot('sla');
  await page.getByTestId('sla-save').click();
  const row = page.getByTestId('sla-row').filter({ hasText: '贵宾服务' });
  await row.waitFor({ timeout: 15_000 });
  assert.match((await row.textContent()) ?? '', /10:00–14:00/);
  const stored = await admin.request('GET', '/api/sla-policies');
  const vip = stored.json.policies.find((p: { name: string }) => p.name === '贵宾服务');
  assert.deepEqual(vip.targets, {
    urgent: { firstResponseMinutes: 15, resolutionMinutes: 120 },
    normal: { firstResponseMinutes: 60 },
  });
  assert.deepEqual(vip.calendar, {
    timeZone: 'Asia/Shanghai',
    weekly: {
      Mon: [['09:00', '18:00']],
      Tue: [['09:00', '18:00']],
      Wed: [['09:00', '18:00']],
      Thu: [['09:00', '18:00']],
      Fri: [['09:00', '18:00']],
      Sat: [['10:00', '14:00']],
    },
    holidays: ['2026-10-01'],
  });
  // The seeded policy (stored before in day numbers by older appliances) opens in the same form.
  await page.getByTestId('sla-row').filter({ hasText: 'Standard' }).getByTestId('sla-open').click();
  assert.equal(await page.getByTestId('sla-hours-open-Mon').isChecked(), true);
  assert.equal(await page.getByTestId('sla-hours-open-Sun').isChecked(), false);
  await page.getByTestId('sla-back').click();
});

test('SLA escalation rules are added by form (raise priority, notify a user and reassign to a department, picked by name), saved, reopened and removed', {
  timeout: 60_000,
}, async () => {
  const users = await admin.request('GET', '/api/users');
  const wang = users.json.users.find((u: { username: string }) => u.username === 'wang.l1');
  const dept = (await admin.request('GET', '/api/departments')).json.departments.find(
    (d: { name: string }) => d.name === '银行卡业务部',
  );
  const vipRules = async () =>
    (await admin.request('GET', '/api/sla-policies')).json.policies.find(
      (p: { name: string }) => p.name === '贵宾服务',
    ).escalations;
  const openVip = () =>
    page.getByTestId('sla-row').filter({ hasText: '贵宾服务' }).getByTestId('sla-open').click();
  const picked = async (testid: string) =>
    ((await page.getByTestId(testid).locator('option:checked').textContent()) ?? '').trim();

  await page.getByTestId('ticket-admin-tab-sla').click();
  await openVip();
  // Rule 1: first response late → raise the priority and notify wang.l1.
  await page.getByTestId('sla-esc-add').click();
  await page.getByTestId('sla-esc-0-on').selectOption({ label: zhCN['tickets.sla.onFirstResponse'] });
  await page.getByTestId('sla-esc-0-raise').check();
  await page.getByTestId('sla-esc-0-notify').selectOption({ label: 'wang.l1 (wang.l1)' });
  // Rule 2: resolution late → reassign to the department, priority left alone.
  await page.getByTestId('sla-esc-add').click();
  await page.getByTestId('sla-esc-1-on').selectOption({ label: zhCN['tickets.sla.onResolution'] });
  await page.getByTestId('sla-esc-1-raise').uncheck();
  await page.getByTestId('sla-esc-1-department').selectOption({ label: '银行卡业务部' });
  await shot('sla-escalations');
  await page.getByTestId('sla-save').click();
  await page.getByTestId('sla-list').waitFor({ timeout: 15_000 });
  assert.deepEqual(await vipRules(), [
    { on: 'first_response', actions: [{ kind: 'raise_priority' }, { kind: 'notify', userId: wang.id }] },
    { on: 'resolution', actions: [{ kind: 'reassign', departmentId: dept.id }] },
  ]);

  // Reopened: the rules show by name; the second is removed and the policy saved again.
  await openVip();
  assert.equal(await page.getByTestId('sla-esc-0-on').inputValue(), 'first_response');
  assert.equal(await page.getByTestId('sla-esc-0-raise').isChecked(), true);
  assert.equal(await picked('sla-esc-0-notify'), 'wang.l1 (wang.l1)');
  assert.equal(await picked('sla-esc-0-department'), zhCN['tickets.sla.escNoDepartment']);
  assert.equal(await page.getByTestId('sla-esc-1-on').inputValue(), 'resolution');
  assert.equal(await page.getByTestId('sla-esc-1-raise').isChecked(), false);
  assert.equal(await picked('sla-esc-1-department'), '银行卡业务部');
  assert.doesNotMatch((await page.getByTestId('sla-escalations').textContent()) ?? '', new RegExp(dept.id));
  await page.getByTestId('sla-esc-1-remove').click();
  assert.equal(await page.getByTestId('sla-esc-1').count(), 0);
  await page.getByTestId('sla-save').click();
  await page.getByTestId('sla-list').waitFor({ timeout: 15_000 });
  assert.deepEqual(await vipRules(), [
    { on: 'first_response', actions: [{ kind: 'raise_priority' }, { kind: 'notify', userId: wang.id }] },
  ]);
});

test('a KB category is created, renamed, and an article is written in it, the category picked by name', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('nav-knowledge').click();
  await page.getByTestId('kb-manage-categories').click();
  await page.getByTestId('kb-cat-new').click();
  await page.getByTestId('kb-cat-name-zh').fill('信用卡');
  await page.getByTestId('kb-cat-name-en').fill('Credit card');
  await page.getByTestId('kb-cat-save').click();
  const row = page.getByTestId('kb-cat-row').filter({ hasText: '信用卡' });
  await row.waitFor({ timeout: 15_000 });
  await row.getByTestId('kb-cat-open').click();
  await page.getByTestId('kb-cat-name-zh').fill('信用卡业务');
  await page.getByTestId('kb-cat-save').click();
  await page.getByTestId('kb-cat-row').filter({ hasText: '信用卡业务' }).waitFor({ timeout: 15_000 });
  await shot('kb-categories');
  await page.getByTestId('kb-cat-close').click();
  await page.getByTestId('kb-new').click();
  await page.getByTestId('kb-title').fill('信用卡挂失流程');
  await page.getByTestId('kb-body').fill('核验身份后为客户办理信用卡挂失，并告知补卡时效。');
  await page.getByTestId('kb-category').selectOption({ label: '信用卡业务' });
  await page.getByTestId('kb-save').click();
  await page.getByTestId('kb-editor-status').waitFor({ timeout: 15_000 });
  const stored = await admin.request('GET', '/api/kb/articles');
  const cats = await admin.request('GET', '/api/kb/categories');
  assert.deepEqual(
    cats.json.categories.map((c: { name: unknown }) => c.name),
    [{ 'zh-CN': '信用卡业务', en: 'Credit card' }],
  );
  const [article] = stored.json.articles;
  assert.equal(article.version.title, '信用卡挂失流程');
  assert.equal(article.version.category, cats.json.categories[0].id);
  // The category with an article in it cannot be deleted: the dialog lists the article.
  await page.getByTestId('kb-editor-close').click();
  await page.getByTestId('kb-manage-categories').click();
  await page.getByTestId('kb-cat-row').filter({ hasText: '信用卡业务' }).getByTestId('kb-cat-open').click();
  await page.getByTestId('kb-cat-delete').click();
  await page.getByTestId('kb-cat-confirm-yes').click();
  const error = page.getByTestId('kb-cat-delete-error');
  await error.waitFor({ timeout: 15_000 });
  assert.equal(await error.getAttribute('data-code'), 'KNOWLEDGE_CATEGORY_IN_USE');
  assert.deepEqual(await page.getByTestId('kb-cat-used-by').locator('li').allTextContents(), [
    zhCN['kb.cat.usedArticle'].replace('{title}', '信用卡挂失流程'),
  ]);
  await page.getByTestId('kb-cat-confirm-no').click();
  await page.getByTestId('kb-cat-back').click();
  await page.getByTestId('nav-ticket-admin').click();
});

test('deleting the department the workflow needs asks first, then is refused with the used-by list', {
  timeout: 60_000,
}, async () => {
  await page.getByTestId('ticket-admin-tab-departments').click();
  await page.getByTestId('dept-row').filter({ hasText: '银行卡业务部' }).getByTestId('dept-open').click();
  await page.getByTestId('dept-delete').click();
  const dialog = page.getByTestId('dept-confirm');
  await dialog.waitFor();
  assert.equal(
    (await dialog.locator('p').first().textContent())?.trim(),
    zhCN['tickets.dept.confirmDelete'].replace('{name}', '银行卡业务部'),
  );
  await page.getByTestId('dept-confirm-yes').click();
  const error = page.getByTestId('dept-delete-error');
  await error.waitFor({ timeout: 15_000 });
  assert.equal(await error.getAttribute('data-code'), 'TICKETS_IN_USE');
  assert.equal((await error.textContent())?.trim(), zhCN['error.TICKETS_IN_USE']);
  assert.deepEqual(await page.getByTestId('dept-used-by').locator('li').allTextContents(), [
    zhCN['tickets.dept.usedWorkflow'].replace('{name}', '二线升级流程').replace('{level}', 'L1'),
  ]);
  await shot('department-in-use');
  await page.getByTestId('dept-confirm-no').click();
  const stored = await admin.request('GET', '/api/departments');
  assert.equal(stored.json.departments.length, 1, 'the department in use was deleted');
});
