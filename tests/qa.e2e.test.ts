// Quality inspection and agent assist in real Chromium against the real
// appliance: a visitor chats, the agent sees the assist panel suggest a
// published KB answer and inserts it into the composer, the customer writes
// again (the assist panel refreshes on the pushed event), the agent closes the
// contact, the rules score it, and a reviewer opens 质检, sees the findings,
// overrides the score, and the API reports the override.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { chatAgent, ok, openDesk, startChat, useInboxHarness } from './inbox-helpers.ts';
import { createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

const h = useInboxHarness('qa');

const ARTICLE = {
  id: 'zh-netbank-password',
  locale: 'zh-CN',
  title: '网银密码忘记如何重置',
  body: '在手机银行登录页点击“忘记密码”，验证身份后即可重置网银密码。',
  category: 'cards',
  tags: ['密码'],
  visibility: 'internal',
};

/** A published internal article: written by the admin, approved by a separate reviewer. */
async function seedArticle(admin: ApiClient) {
  ok(
    await admin.request('POST', '/api/roles', {
      id: 'kb-reviewer',
      description: 'reviews knowledge articles',
      permissions: ['knowledge.review'],
    }),
    201,
  );
  const reviewer = await createSignedInUser(
    admin,
    'kb.reviewer',
    ['kb-reviewer'],
    'kb reviewer password 2026',
  );
  ok(
    await admin.request('POST', '/api/kb/categories', {
      id: 'cards',
      name: { 'zh-CN': '银行卡', en: 'Cards' },
    }),
    201,
  );
  ok(await admin.request('POST', '/api/kb/articles', ARTICLE), 201);
  ok(await admin.request('POST', `/api/kb/articles/${ARTICLE.id}/submit`), 200);
  ok(await reviewer.client.request('POST', `/api/kb/articles/${ARTICLE.id}/approve`), 200);
}

async function signIn(page: Page, base: string, username: string, password: string) {
  await page.goto(base);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

test('the assist panel suggests a KB answer the agent inserts, and a reviewer overrides the auto QA score of the closed chat', async () => {
  await seedArticle(h.admin);
  const agentPassword = 'qa agent password 2026';
  const agent = await chatAgent(h.admin, 'qa.agent', agentPassword);
  ok(
    await h.admin.request('POST', '/api/roles', {
      id: 'qa-reviewer',
      description: 'reviews QA scores',
      // contacts.handle reads the transcript, as the built-in supervisor role does (no TOTP needed here).
      permissions: ['contacts.monitor', 'contacts.handle', 'users.read'],
    }),
    201,
  );
  const reviewerPassword = 'qa reviewer password 2026';
  const reviewer = await createSignedInUser(h.admin, 'qa.reviewer', ['qa-reviewer'], reviewerPassword);

  const desk = await h.newPage();
  const visitor = await h.newPage();
  const qa = await h.newPage();
  try {
    await openDesk(desk, h.app.httpsBase, 'qa.agent', agentPassword);
    await startChat(visitor, h.app.base, '我的网银密码忘记了，怎么重置？');
    await desk.getByTestId('offer-pop').waitFor({ timeout: 10_000 });
    await desk.getByTestId('offer-accept').click();
    const view = desk.locator('[data-testid="conversation-view"][data-state="active"]');
    await view.waitFor();
    const contactId = (await view.getAttribute('data-contact-id')) ?? '';

    // Assist: the published article is suggested and "insert" fills the composer with its full body.
    const kbSuggestion = desk.locator('[data-testid="assist-suggestion"][data-kind="kb"]');
    await kbSuggestion.first().waitFor({ timeout: 10_000 });
    assert.match((await kbSuggestion.first().textContent()) ?? '', /网银密码/);
    assert.equal(await desk.getByTestId('assist-sentiment').getAttribute('data-trend'), '0');
    await kbSuggestion.first().getByTestId('assist-insert').click();
    await desk.waitForFunction(
      (body) =>
        (document.querySelector('[data-testid="composer-text"]') as HTMLTextAreaElement | null)?.value ===
        body,
      ARTICLE.body,
    );
    await h.shot(desk, '01-assist-suggestion');
    await desk.getByTestId('composer-send').click();
    await desk.locator('[data-testid="conv-message"][data-direction="out"]').waitFor();
    await visitor.getByTestId('bl-msg-agent').first().waitFor({ timeout: 10_000 });

    // A second customer message pushes intelligence.assist_updated; the panel reloads its trend.
    await visitor.getByTestId('bl-input').fill('太慢了，我很不满意');
    await visitor.getByTestId('bl-send').click();
    const trend = desk.getByTestId('assist-sentiment');
    await desk.waitForFunction(
      () =>
        (document.querySelector('[data-testid="assist-sentiment"]')?.getAttribute('data-trend') ?? '').split(
          ',',
        ).length === 2,
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(await trend.getAttribute('data-mood'), 'negative');
    await h.shot(desk, '02-assist-refreshed');

    await desk.getByTestId('wrapup-start').click();
    await desk.getByTestId('wrapup-code').selectOption('resolved');
    await desk.getByTestId('wrapup-finish').click();
    await desk.locator('[data-testid="conv-closed"][data-code="resolved"]').waitFor();

    // Closing scores the contact: no greeting, an unhappy last message.
    // Scoring runs after the close; under CI load it can take well over 10 s.
    const scored = await until(
      'the QA result',
      async () => {
        const r = await reviewer.client.request('GET', `/api/qa/results/${contactId}`);
        return r.status === 200
          ? (r.json as { score: number; agentId: string; findings: Array<{ rule: string; passed: boolean }> })
          : undefined;
      },
      { timeoutMs: 20_000, everyMs: 150 },
    );
    assert.equal(scored.agentId, agent.userId);
    assert.ok(scored.score < 100, `the rules found something: ${JSON.stringify(scored)}`);
    assert.equal(scored.findings.find((f) => f.rule === 'greeting')?.passed, false);

    // The reviewer opens 质检, finds the contact and its findings, and overrides the score.
    await signIn(qa, h.app.httpsBase, 'qa.reviewer', reviewerPassword);
    await qa.getByTestId('nav-qa').click();
    const row = qa.locator(`[data-testid="qa-row"][data-contact-id="${contactId}"]`);
    await row.waitFor({ timeout: 10_000 });
    // Names arrive after the rows (users.read), so wait for the name rather than read it once.
    await row
      .getByTestId('qa-row-agent')
      .filter({ hasText: /^qa\.agent$/ })
      .waitFor();
    assert.equal(Number(await row.getByTestId('qa-row-score').textContent()), scored.score);
    const failed = scored.findings.filter((f) => !f.passed).length;
    assert.match((await row.getByTestId('qa-row-findings').textContent()) ?? '', new RegExp(`^${failed} `));
    await h.shot(qa, '03-qa-list');
    await row.getByTestId('qa-open').click();
    await qa.locator('[data-testid="qa-finding"][data-rule="greeting"][data-passed="false"]').waitFor();
    assert.equal(await qa.getByTestId('qa-finding').count(), scored.findings.length);
    await qa.locator('[data-testid="qa-line"][data-role="customer"]').first().waitFor();
    assert.equal(await qa.locator('[data-testid="qa-line"][data-role="agent"]').count(), 1);
    await qa.getByTestId('qa-review-score').fill('88');
    await qa.getByTestId('qa-review-comment').fill('答复准确，问候语缺失已当面辅导');
    await qa.getByTestId('qa-review-save').click();
    await qa.getByTestId('qa-reviewed').waitFor();
    assert.equal(await qa.getByTestId('qa-detail-score').textContent(), '88');
    await h.shot(qa, '04-qa-reviewed');

    const after = await reviewer.client.request('GET', `/api/qa/results/${contactId}`);
    ok(after, 200);
    const override = after.json['override'] as { score: number; comment: string; reviewerId: string };
    assert.equal(override.score, 88);
    assert.equal(override.reviewerId, reviewer.userId);
    assert.equal(after.json['score'], scored.score, 'the rules score is kept beside the override');

    await qa.getByTestId('qa-back').click();
    const reportRow = qa.locator(`[data-testid="qa-report-row"][data-agent-id="${agent.userId}"]`);
    await reportRow.waitFor();
    // The list reloads on return; wait for the reviewed figures instead of reading the stale ones.
    await reportRow.getByTestId('qa-report-average').filter({ hasText: /^88$/ }).waitFor();
    await row.locator('[data-testid="qa-row-score"][data-overridden="true"]').waitFor();
    await qa.getByTestId('qa-agent').selectOption(agent.userId);
    await row.waitFor();
    assert.equal(await qa.getByTestId('qa-row').count(), 1);
    // The chatbot switch needs system.manage, which a QA reviewer does not hold.
    assert.equal(await qa.getByTestId('bot-settings').count(), 0);
    await h.shot(qa, '05-qa-report');
    assert.deepEqual(h.cspErrors, []);
  } catch (err) {
    await h.failureShots({ desk, visitor, qa });
    throw err;
  }
});
