// The console's directory page in Chromium: an admin maps a directory group to
// a role, sees a bad DN refused with the translated code, and removes the mapping.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;

before(async () => {
  const tmp = await tempDataDir('bl-dir-console-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

const mappings = async () =>
  (await admin.request('GET', '/api/directory/mappings')).json['mappings'] as Array<{
    id: string;
    groupDn: string;
    role: string;
  }>;

test('an admin maps a directory group to a role on the console page, a bad DN gets its zh-CN text, and removes the mapping', async () => {
  const browser = await launchChromium();
  try {
    const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(app.base);
    await page.getByTestId('nav-directory').click();
    await page.getByTestId('directory-panel').waitFor();
    assert.match((await page.getByTestId('directory-status').textContent()) ?? '', /尚未配置企业目录/);
    assert.equal(await page.getByTestId('directory-empty').count(), 1);

    await page.getByTestId('directory-group-dn').fill('tellers');
    await page.getByTestId('directory-add').click();
    const error = page.getByTestId('directory-add-error');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-code'), 'IDENTITY_DIRECTORY_INVALID_GROUP');
    assert.match((await error.textContent()) ?? '', /可分辨名称/);

    await page.getByTestId('directory-group-dn').fill('cn=Tellers,ou=Groups,dc=bank,dc=cn');
    await page.getByTestId('directory-role').selectOption('supervisor');
    await page.getByTestId('directory-add').click();
    await page.getByTestId('directory-mapping').first().waitFor();
    const row = (await page.getByTestId('directory-mapping').first().textContent()) ?? '';
    assert.match(row, /cn=Tellers,ou=Groups,dc=bank,dc=cn/);
    const stored = await mappings();
    assert.deepEqual(
      stored.map((m) => [m.groupDn, m.role]),
      [['cn=Tellers,ou=Groups,dc=bank,dc=cn', 'supervisor']],
    );

    await page.getByTestId(`directory-remove-${stored[0]!.id}`).click();
    await page.getByTestId('directory-empty').waitFor();
    await until('the mapping is gone on the server', async () =>
      (await mappings()).length === 0 ? true : undefined,
    );
  } finally {
    await browser.close();
  }
});
