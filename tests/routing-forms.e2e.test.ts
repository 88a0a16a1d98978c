// Issue 12, "every configuration object has a form" (routing): a supervisor sets up
// routing in Chromium, in zh-CN, on a fresh appliance, with no API call and no JSON
// typed for the user's steps: a skill, a queue (a condition that does not parse is
// refused naming the field), an agent profile picking the user by name, business
// hours with a holiday, a workflow picking the queue by name; the queue opened again,
// its sample agent shown, edited and saved; the skill's delete refused while a queue
// and an agent use it (the page names them), then, once unused, deleted after a
// confirmation; the business hours' delete refused while a workflow and an IVR flow follow
// them. The agent user and that IVR flow are set-up (created over the API before).
// Screenshots land in test-artifacts/routing-forms-*.png.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let admin: ApiClient;
let browser: Browser;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-routing-forms-');
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

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `routing-forms-${name}.png`), fullPage: true });
const textOf = async (page: Page, testid: string) =>
  ((await page.getByTestId(testid).first().textContent()) ?? '').trim();
const configOf = async () => (await admin.request('GET', '/api/routing/config')).json;

test('a supervisor configures skills, a queue, an agent, hours and a workflow by forms in zh-CN, and deletes only unused items', {
  timeout: 180_000,
}, async () => {
  // Set-up: the agent exists as a user; everything after this is done on the page.
  const created = await admin.request('POST', '/api/users', {
    username: 'agent.wang',
    displayName: '王芳',
    roles: ['agent'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const wangId = String(created.json['user'].id);

  const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(app.base);
  await page.getByTestId('nav-routing').click();

  // 1. A skill.
  await page.getByTestId('routing-tab-skills').click();
  await page.getByTestId('routing-new').click();
  const skillForm = page.getByTestId('routing-form-skills');
  await skillForm.getByTestId('skill-name').fill('账务');
  await skillForm.getByTestId('routing-form-id').fill('billing');
  await skillForm.getByTestId('routing-form-save').click();
  await page.getByTestId('routing-row-billing').waitFor();

  // 2. A queue: '((' is refused naming the field, in Chinese; then a real condition.
  await page.getByTestId('routing-tab-queues').click();
  await page.getByTestId('routing-new').click();
  const queueForm = page.getByTestId('routing-form-queues');
  await queueForm.getByTestId('queue-name').fill('账务队列');
  await queueForm.getByTestId('routing-form-id').fill('billing');
  await queueForm.getByTestId('queue-expression').fill('((');
  await queueForm.getByTestId('routing-form-save').click();
  const refusal = queueForm.getByTestId('routing-refusal');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'ROUTING_EXPRESSION_INVALID');
  const field = refusal.getByTestId('routing-error-field');
  assert.equal(await field.getAttribute('data-field'), 'agentExpression');
  assert.match((await field.textContent()) ?? '', /坐席条件/);
  assert.match((await refusal.textContent()) ?? '', /[\u4e00-\u9fff]/);
  assert.doesNotMatch((await refusal.textContent()) ?? '', /Cannot parse/);
  await shot(page, '01-queue-refused');
  assert.ok(!(await configOf())['queues'].some((q: { id: string }) => q.id === 'billing'));
  await queueForm.getByTestId('queue-expression').fill('skills.billing >= 2');
  await queueForm.getByTestId('routing-form-save').click();
  await page.getByTestId('routing-row-billing').waitFor();

  // 3. An agent profile: the user picked by name, the skill and level picked from routing's skills.
  await page.getByTestId('routing-tab-agents').click();
  await page.getByTestId('routing-new').click();
  const profileForm = page.getByTestId('routing-form-agents');
  await profileForm.getByTestId('profile-user').selectOption({ label: '王芳 (agent.wang)' });
  await profileForm.getByTestId('profile-skill-billing').selectOption('3');
  await profileForm.getByTestId('profile-languages').fill('zh, en');
  await profileForm.getByTestId('routing-form-save').click();
  await page.getByTestId(`routing-row-${wangId}`).waitFor();
  assert.match(await textOf(page, `routing-row-${wangId}`), /王芳/);
  assert.doesNotMatch(await textOf(page, `routing-row-${wangId}`), new RegExp(wangId));

  // 4. Business hours: Monday to Friday 09:00–18:00 with the shared picker, and a holiday.
  await page.getByTestId('routing-tab-calendars').click();
  await page.getByTestId('routing-new').click();
  const calForm = page.getByTestId('routing-form-calendars');
  await calForm.getByTestId('calendar-name').fill('网点营业时间');
  await calForm.getByTestId('routing-form-id').fill('branch-hours');
  await calForm.getByTestId('calendar-zone').fill('Asia/Shanghai');
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])
    await calForm.getByTestId(`calendar-hours-open-${day}`).check();
  await calForm.getByTestId('calendar-holiday-date').fill('2027-01-01');
  await calForm.getByTestId('calendar-holiday-add').click();
  await calForm.getByTestId('calendar-holidays').getByText('2027-01-01').waitFor();
  await calForm.getByTestId('routing-form-save').click();
  await page.getByTestId('routing-row-branch-hours').waitFor();

  // 5. A workflow: a filter whose target is the queue picked by name, a default target, the hours.
  await page.getByTestId('routing-tab-workflows').click();
  await page.getByTestId('routing-new').click();
  const wfForm = page.getByTestId('routing-form-workflows');
  await wfForm.getByTestId('workflow-name').fill('账务策略');
  await wfForm.getByTestId('routing-form-id').fill('billing-flow');
  await wfForm.getByTestId('workflow-add-filter').click();
  await wfForm.getByTestId('workflow-filter-0-name').fill('账务咨询');
  await wfForm.getByTestId('workflow-filter-0-condition').fill("intent == 'billing'");
  await wfForm.getByTestId('workflow-filter-0-target-0-queue').selectOption({ label: '账务队列' });
  await wfForm.getByTestId('workflow-filter-0-target-0-priority').fill('10');
  await wfForm.getByTestId('workflow-default-target-queue').selectOption({ label: 'General' });
  await wfForm.getByTestId('workflow-calendar').selectOption({ label: '网点营业时间' });
  await wfForm.getByTestId('workflow-when-closed').selectOption('offline');
  await shot(page, '02-workflow');
  await wfForm.getByTestId('routing-form-save').click();
  await page.getByTestId('routing-row-billing-flow').waitFor();
  const wf = (await configOf())['workflows'].find((w: { id: string }) => w.id === 'billing-flow');
  assert.deepEqual(wf.filters[0].targets, [{ queue: 'billing', priority: 10 }]);
  assert.equal(wf.calendarId, 'branch-hours');
  const cal = (await configOf())['calendars'].find((c: { id: string }) => c.id === 'branch-hours');
  assert.deepEqual(cal.weekly['Mon'], [['09:00', '18:00']]);
  assert.deepEqual(cal.holidays, ['2027-01-01']);

  // 6. The queue opened again: its condition is tested against the agents ("would match: 王芳 (账务 3)"), edited, saved.
  await page.getByTestId('routing-tab-queues').click();
  await page.getByTestId('routing-open-billing').click();
  const again = page.getByTestId('routing-form-queues');
  assert.equal(await again.getByTestId('queue-expression').inputValue(), 'skills.billing >= 2');
  await until(
    'the sample agent shown',
    async () => (/王芳 \(账务 3\)/.test(await textOf(page, 'queue-sample')) ? true : undefined),
    { timeoutMs: 30_000 },
  );
  await again.getByTestId('queue-expression').fill('skills.billing >= 4');
  await until(
    'nobody matches level 4',
    async () => ((await textOf(page, 'queue-sample')).includes('不会匹配') ? true : undefined),
    { timeoutMs: 30_000 },
  );
  await again.getByTestId('queue-expression').fill('skills.billing >= 1');
  await again.getByTestId('queue-name').fill('账务与对账');
  await shot(page, '03-queue-edit');
  await again.getByTestId('routing-form-save').click();
  await until(
    'the queue renamed',
    async () => ((await textOf(page, 'routing-row-billing')).includes('账务与对账') ? true : undefined),
    { timeoutMs: 30_000 },
  );
  assert.equal(
    (await configOf())['queues'].find((q: { id: string }) => q.id === 'billing').agentExpression,
    'skills.billing >= 1',
  );

  // 7. Deleting the skill while the queue and 王芳 use it: confirmed, then refused naming them.
  await page.getByTestId('routing-tab-skills').click();
  await page.getByTestId('routing-delete-billing').click();
  await page.getByTestId('routing-confirm').waitFor();
  await page.getByTestId('routing-confirm-delete').click();
  const inUse = page.getByTestId('routing-delete-refusal');
  await inUse.waitFor();
  assert.equal(await inUse.getAttribute('data-code'), 'ROUTING_IN_USE');
  const users = await inUse.getByTestId('routing-used-by-item').allTextContents();
  assert.deepEqual(users.map((u) => u.trim()).sort(), ['坐席: 王芳', '队列: 账务与对账'].sort());
  await shot(page, '04-skill-in-use');
  assert.ok((await configOf())['skills'].some((s: { id: string }) => s.id === 'billing'));

  // 8. Usage removed by the forms, then the delete goes through after the confirmation.
  await page.getByTestId('routing-tab-queues').click();
  await page.getByTestId('routing-open-billing').click();
  await page.getByTestId('queue-expression').fill('');
  await page.getByTestId('routing-form-save').click();
  await page.getByTestId('routing-form-queues').waitFor({ state: 'detached' });
  await page.getByTestId('routing-tab-agents').click();
  await page.getByTestId(`routing-open-${wangId}`).click();
  await page.getByTestId('profile-skill-billing').selectOption('');
  await page.getByTestId('routing-form-save').click();
  await page.getByTestId('routing-form-agents').waitFor({ state: 'detached' });
  await page.getByTestId('routing-tab-skills').click();
  await page.getByTestId('routing-delete-billing').click();
  await page.getByTestId('routing-confirm-cancel').click();
  assert.equal(await page.getByTestId('routing-row-billing').count(), 1, 'cancel keeps the skill');
  await page.getByTestId('routing-delete-billing').click();
  await page.getByTestId('routing-confirm-delete').click();
  await page.getByTestId('routing-row-billing').waitFor({ state: 'detached' });
  assert.ok(!(await configOf())['skills'].some((s: { id: string }) => s.id === 'billing'));
  await shot(page, '05-skill-deleted');

  // 9. The hours in use: the workflow above and an IVR line whose hours step follows them (set up
  // over the API, like the user) — the confirmed delete is refused naming both.
  const flow = {
    id: 'hours-line',
    name: '营业时间热线',
    language: 'zh',
    start: 'hours',
    nodes: {
      hours: { type: 'hours', calendar: 'branch-hours', open: 'queue', closed: 'bye' },
      queue: { type: 'enqueue', queue: 'general' },
      bye: { type: 'hangup' },
    },
  };
  const saved = await admin.request('PUT', '/api/flows/hours-line', { flow });
  assert.equal(saved.status < 300, true, JSON.stringify(saved.json));
  await page.getByTestId('routing-tab-calendars').click();
  await page.getByTestId('routing-delete-branch-hours').click();
  await page.getByTestId('routing-confirm-delete').click();
  const calInUse = page.getByTestId('routing-delete-refusal');
  await calInUse.waitFor();
  assert.equal(await calInUse.getAttribute('data-code'), 'ROUTING_IN_USE');
  const calUsers = await calInUse.getByTestId('routing-used-by-item').allTextContents();
  assert.deepEqual(
    calUsers.map((u) => u.trim()).sort(),
    ['路由策略: 账务策略', '语音导航流程: 营业时间热线'].sort(),
  );
  await shot(page, '06-calendar-in-use');
  assert.ok((await configOf())['calendars'].some((c: { id: string }) => c.id === 'branch-hours'));
  await ctx.close();
});
