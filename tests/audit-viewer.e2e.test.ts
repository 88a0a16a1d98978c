// The audit viewer in real Chromium (zh-CN) against the real appliance: after
// an admin creates and freezes a user, an auditor sees those records newest
// first with Chinese action labels and user names (not ids), details as
// labelled fields, narrows the list by picking the admin by name, and exports
// the filtered view as CSV through /api/audit/export.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, totpCode } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium, signedInContext } from './support/browser.ts';
import { ApiClient } from './support/client.ts';
import { untilTrue } from './support/until.ts';

let app: RunningAppliance;
let browser: Browser;
let admin: ApiClient;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-audit-viewer-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  await cleanup?.();
});

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

/** An auditor (an MFA role) through first sign-in, password change and TOTP enrolment. */
async function signedInAuditor(): Promise<ApiClient> {
  const created = await admin.request('POST', '/api/users', {
    username: 'audit.li',
    displayName: '李审计',
    roles: ['auditor'],
  });
  ok(created, 201);
  const first = new ApiClient(app.base);
  ok(await first.login('audit.li', created.json['oneTimePassword']), 200);
  const password = 'auditor password 2026 long';
  ok(
    await first.request('POST', '/api/auth/password', {
      currentPassword: created.json['oneTimePassword'],
      newPassword: password,
    }),
    204,
  );
  const setup = await first.request('POST', '/api/auth/mfa/setup', {});
  ok(setup, 200);
  const secret = setup.json['secret'] as string;
  ok(await first.request('POST', '/api/auth/mfa/confirm', { code: totpCode(secret) }), 204);
  const auditor = new ApiClient(app.base);
  ok(await auditor.login('audit.li', password, totpCode(secret, 1)), 200);
  return auditor;
}

async function rows(page: Page) {
  return page.locator('[data-testid^="audit-row-"]').evaluateAll((trs) =>
    trs.map((tr) => ({
      seq: Number(tr.querySelector('td')?.textContent),
      action: tr.getAttribute('data-action') ?? '',
      label: tr.querySelector('[data-testid="audit-action"]')?.textContent ?? '',
      actor: tr.querySelector('[data-testid="audit-actor"]')?.textContent ?? '',
      details: tr.querySelector('[data-testid="audit-details"]')?.textContent ?? '',
    })),
  );
}

test('an auditor sees records newest first with Chinese labels and names, filters by user and exports the view', async () => {
  const created = await admin.request('POST', '/api/users', {
    username: 'zhang.wei',
    displayName: '张伟',
    roles: ['agent'],
  });
  ok(created, 201);
  const zhangId = created.json['user'].id as string;
  ok(await admin.request('POST', `/api/users/${zhangId}/freeze`, { reason: '离职' }), 200);
  const auditor = await signedInAuditor();
  const users = (await admin.request('GET', '/api/users')).json['users'] as Array<{
    id: string;
    displayName: string;
  }>;
  const adminUser = users.find((u) => u.displayName === 'Administrator');
  assert.ok(adminUser);

  const ctx = await signedInContext(browser, auditor, { locale: 'zh-CN' });
  const page = await ctx.newPage();
  try {
    await page.goto(`${app.httpsBase}/audit`);
    await page.locator('[data-testid^="audit-row-"][data-action="user.frozen"]').waitFor();
    // names resolve once the user list is in
    await untilTrue('actor names instead of ids', async () =>
      (await rows(page)).some((r) => r.actor === 'Administrator'),
    );
    const all = await rows(page);
    const seqs = all.map((r) => r.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first',
    );
    const frozen = all.find((r) => r.action === 'user.frozen');
    const createdRow = all.find((r) => r.action === 'user.created' && r.details.includes('zhang.wei'));
    assert.ok(frozen && createdRow);
    assert.ok(frozen.seq > createdRow.seq && all.indexOf(frozen) < all.indexOf(createdRow));
    assert.equal(frozen.label, '冻结用户');
    assert.equal(createdRow.label, '新建用户');
    assert.equal(frozen.actor, 'Administrator');
    assert.ok(!all.some((r) => r.actor === adminUser.id), 'no actor shown as an id');
    assert.match(frozen.details, /原因离职/, 'details as labelled fields');
    assert.doesNotMatch(frozen.details, /[{}"]/, 'no JSON in the details');
    assert.ok(
      all.some((r) => r.actor === '李审计'),
      "the auditor's own sign-in is listed by name",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'audit-viewer-01-all.png'), fullPage: true });

    await page.getByTestId('audit-filter-actor').selectOption({ label: 'Administrator (admin)' });
    await page.getByTestId('audit-search').click();
    await untilTrue('only the admin listed', async () => {
      const r = await rows(page);
      return r.length > 0 && r.every((x) => x.actor === 'Administrator');
    });
    const narrowed = await rows(page);
    assert.ok(narrowed.length < all.length, `${narrowed.length} of ${all.length}`);
    assert.ok(narrowed.some((r) => r.action === 'user.frozen'));

    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export-csv').click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    const lines = csv.trim().split(/\r?\n/).slice(1);
    assert.ok(
      lines.some((l) => l.includes('user.frozen') && l.includes(zhangId)),
      csv.slice(0, 400),
    );
    assert.ok(
      lines.every((l) => l.split(',')[2] === adminUser.id),
      'the export holds the filtered view only',
    );
    const exportedSeqs = lines.map((l) => Number(l.split(',')[0]));
    assert.deepEqual(
      exportedSeqs,
      [...exportedSeqs].sort((a, b) => b - a),
      'exported newest first too',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'audit-viewer-02-admin.png'), fullPage: true });
  } finally {
    await ctx.close();
  }
});
