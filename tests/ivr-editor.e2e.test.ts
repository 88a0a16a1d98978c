// Issue 12, voice objects as forms: in zh-CN Chromium an admin builds the inbound
// IVR as a tree (hours → key menu: 1 → a queue picked by name, 2 → voicemail;
// closed → the announcement), a bad flow is refused with the node outlined and the
// reason in Chinese, then saved; a sipp trunk call pressing 1 reaches that queue
// (the agent is offered it). A desk phone is added by form; its test call is
// refused (translated) while unregistered, and rings a real registered UA with RTP;
// a carrier trunk is added, edited and deleted by form.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { zhCN } from '../web/src/i18n/zh-CN.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';
import { AgentUa } from './voice-support/agent-ua.ts';
import { consoleSocket, makeAudio, routeAllTo, sippSpawn, voiceAgentProfile } from './voice-support/e2e.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let browser: Browser;
let agent: { client: ApiClient; userId: string };
let sipPort: number;
const closers: Array<() => void> = [];

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `ivr-editor-${name}.png`), fullPage: true });

before(async () => {
  tmp = await tempDataDir('bl-ivr-editor-');
  work = await tempDataDir('bl-ivr-editor-work-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1', BRANCHLINE_HTTPS: 'off' },
  });
  admin = (await bootstrapAdmin(app)).admin;
  // Arrangement, not the subject: a queue the flow will pick by name, and an agent who staffs it.
  await routeAllTo(admin, { id: 'sales', name: '销售部' });
  agent = await createSignedInUser(admin, 'agent.li', ['agent'], 'agent password li 2026');
  await voiceAgentProfile(admin, agent.userId);
  sipPort = (await admin.request('GET', '/api/voice/status')).json['sip'].port as number;
  browser = await launchChromium();
});
after(async () => {
  for (const c of closers) c();
  await browser?.close();
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

async function adminPage(): Promise<Page> {
  const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(app.base);
  return page;
}

/** Sets a phone's or trunk's SRTP field to Required, checking its zh-CN label and choices. */
async function srtpRequired(form: Locator, testId: string) {
  const select = form.getByTestId(testId);
  assert.equal(await select.inputValue(), 'optional', 'optional by default');
  assert.ok((await select.locator('xpath=..').textContent())?.includes(zhCN['srtp.label']), 'zh-CN label');
  assert.deepEqual(await select.locator('option').allTextContents(), [
    zhCN['srtp.required'],
    zhCN['srtp.optional'],
    zhCN['srtp.off'],
  ]);
  assert.equal(await select.getAttribute('title'), zhCN['srtp.hint']);
  await select.selectOption({ label: zhCN['srtp.required'] });
}

/** The reopened form shows Required back. */
async function srtpShown(form: Locator, testId: string) {
  const select = form.getByTestId(testId);
  await until('the form shows SRTP required', async () =>
    (await select.inputValue()) === 'required' ? true : undefined,
  );
  assert.equal(await select.locator('option:checked').textContent(), zhCN['srtp.required']);
}

/** Adds a key (or intent) on the open node and makes a new step of `type` behind it. */
async function addKey(page: Page, key: string, type: string) {
  const form = page.getByTestId('flow-node-form');
  await form.getByTestId('flow-new-key').fill(key);
  await form.getByTestId('flow-add-key').click();
  await form.getByTestId(`flow-edge-key-${key}`).getByTestId('flow-edge-new').selectOption(type);
}

test('an admin builds the inbound IVR as a tree, a bad flow is refused on its node in zh-CN, and a call pressing 1 reaches the queue', {
  timeout: 180_000,
}, async () => {
  const page = await adminPage();
  await page.getByTestId('nav-flows').click();
  await page.getByTestId('flow-open-inbound').click();
  const tree = page.getByTestId('flow-tree');
  const form = page.getByTestId('flow-node-form');

  // Opening hours: the calendar picked by its name.
  await tree.getByTestId('flow-node-hours').click();
  await form.getByTestId('flow-field-calendar').selectOption({ label: 'Business hours' });
  // Open → a new key menu.
  await form.getByTestId('flow-edge-open').getByTestId('flow-edge-new').selectOption('menu');
  assert.equal(await form.getAttribute('data-node'), 'menu', 'the new step opens in the side form');
  await form.getByTestId('flow-field-prompt').fill('Press one for sales, two to leave a message.');
  await form.getByTestId('flow-field-timeoutMs').fill('20');
  // 1 → a queue, picked by its name.
  await addKey(page, '1', 'enqueue');
  await form.getByTestId('flow-field-queue').selectOption({ label: '销售部' });
  // 2 → voicemail, then hang up.
  await tree.getByTestId('flow-node-menu').click();
  await addKey(page, '2', 'voicemail');
  await form.getByTestId('flow-field-prompt').fill('Please leave a message after the tone.');
  await form.getByTestId('flow-edge-next').getByTestId('flow-edge-target').selectOption('bye');
  // The same key twice is refused on the menu.
  await tree.getByTestId('flow-node-menu').click();
  await form.getByTestId('flow-new-key').fill('1');
  await form.getByTestId('flow-add-key').click();
  const error = page.getByTestId('flow-error');
  await error.waitFor();
  assert.equal(await error.getAttribute('data-node'), 'menu');
  assert.match((await error.textContent()) ?? '', new RegExp(zhCN['flows.reason.duplicate_key']));

  // The tree: hours → open: menu (key 1 → queue by name, key 2 → voicemail), closed → the announcement;
  // the old greeting and queue are no longer reached.
  const menuItem = tree.getByTestId('flow-node-menu');
  assert.match((await menuItem.textContent()) ?? '', new RegExp(zhCN['flows.type.menu']));
  assert.match((await tree.getByTestId('flow-node-enqueue').textContent()) ?? '', /销售部/);
  assert.match((await tree.textContent()) ?? '', /按 1 →.*按 2 →/s);
  assert.equal(await page.getByTestId('flow-unreachable').getByTestId('flow-node-welcome').count(), 1);

  // Save: the menu's "other key" is not set → refused on the menu, in Chinese.
  await page.getByTestId('flow-save').click();
  await until('the refusal names the menu', async () =>
    (await error.getAttribute('data-node').catch(() => null)) === 'menu' &&
    (await error.textContent())?.includes(zhCN['flows.reason.refers_to_missing_node'])
      ? true
      : undefined,
  );
  assert.equal(await tree.getByTestId('flow-node-menu').getAttribute('data-invalid'), 'true');
  assert.doesNotMatch((await error.textContent()) ?? '', /refers|missing|node menu/i, 'no server English');
  await shot(page, 'refused-missing');
  await tree.getByTestId('flow-node-menu').click();
  await form.getByTestId('flow-edge-default').getByTestId('flow-edge-target').selectOption('bye');

  // Save again: the old greeting is unreachable → refused on that node.
  await page.getByTestId('flow-save').click();
  await until('the refusal names the unreachable greeting', async () =>
    (await error.getAttribute('data-node').catch(() => null)) === 'welcome' ? true : undefined,
  );
  assert.match((await error.textContent()) ?? '', new RegExp(zhCN['flows.reason.unreachable']));
  assert.equal(await tree.getByTestId('flow-node-welcome').getAttribute('data-invalid'), 'true');
  await shot(page, 'refused-unreachable');
  for (const id of ['welcome', 'queue']) {
    await tree.getByTestId(`flow-node-${id}`).click();
    await form.getByTestId('flow-node-remove').click();
  }
  await page.getByTestId('flow-save').click();
  await page.getByTestId('flow-saved').waitFor();
  await shot(page, 'saved');

  // What the appliance stored (checked, not typed): the tree the admin built.
  const stored = (await admin.request('GET', '/api/flows/inbound')).json['flow'];
  assert.equal(stored.version, 2);
  assert.deepEqual(stored.nodes.hours, {
    type: 'hours',
    open: 'menu',
    closed: 'closed',
    calendar: 'business-hours',
  });
  assert.deepEqual(stored.nodes.menu.options, { '1': 'enqueue', '2': 'voicemail2' });
  assert.equal(stored.nodes.menu.default, 'bye');
  assert.equal(stored.nodes.menu.timeoutMs, 20_000);
  assert.deepEqual(stored.nodes.enqueue, { type: 'enqueue', queue: 'sales' });
  assert.equal(stored.nodes.voicemail2.next, 'bye');
  assert.equal(stored.nodes.welcome, undefined);

  // A trunk call presses 1 (RFC 4733) and is queued in sales: the agent is offered it.
  await makeAudio(work.dir);
  const socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(socket.close);
  assert.equal(
    (await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' })).status,
    200,
  );
  const sipp = await sippSpawn(sipPort, work.dir, 'trunk-call-dtmf.xml');
  closers.push(sipp.kill);
  const offer = await until(
    'the agent is offered the call',
    () => socket.seen.find((m) => m.event?.type === 'routing.offer_created')?.event,
    { timeoutMs: 40_000 },
  );
  assert.equal(offer.data['channel'], 'voice');
  // The offer can reach the agent a moment before the call records its contact id.
  await until('the call waits in sales as the offered contact', async () => {
    const r = await admin.request('GET', '/api/voice/calls');
    return (r.json['calls'] as Array<Record<string, string>>).find(
      (c) => c['queue'] === 'sales' && c['contactId'] === offer.data['contactId'],
    );
  });
  sipp.kill();
});

test('a desk phone added by form: the test call is refused in zh-CN while unregistered, then rings the registered phone with audio, audited', {
  timeout: 120_000,
}, async () => {
  const page = await adminPage();
  await page.getByTestId('nav-phones').click();
  await page.getByTestId('phone-new').click();
  const form = page.getByTestId('phone-form');
  await form.getByTestId('phone-username').fill('desk-li');
  await form.getByTestId('phone-agent').selectOption({ label: 'agent.li' });
  await form.getByTestId('phone-password').fill('desk phone secret li');
  await form.getByTestId('phone-save').click();
  const row = page.getByTestId('phone-row-desk-li');
  await row.waitFor();
  assert.equal(await row.getByTestId('phone-registered').getAttribute('data-registered'), 'false');
  assert.equal(await row.getByTestId('phone-registered').textContent(), zhCN['phones.notRegistered']);

  // Not registered: a coded 409, shown translated.
  await row.getByTestId('phone-test-call').click();
  const refusal = page.getByTestId('phone-row-error');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'VOICE_PHONE_NOT_REGISTERED');
  assert.equal(await refusal.textContent(), zhCN['error.VOICE_PHONE_NOT_REGISTERED']);
  await shot(page, 'phone-not-registered');

  // A real UA registers; the list says so; the test call rings it and it hears the prompt.
  const phone = new AgentUa(
    { host: '127.0.0.1', port: sipPort },
    { user: 'desk-li', password: 'desk phone secret li', audio: Buffer.alloc(1600, 0xff) },
  );
  await phone.start();
  closers.push(() => phone.close());
  assert.equal(await phone.register(), 200);
  await until('the list shows the phone registered', async () =>
    (await row.getByTestId('phone-registered').getAttribute('data-registered')) === 'true' ? true : undefined,
  );
  await row.getByTestId('phone-test-call').click();
  await page.getByTestId('phone-test-call-ok').waitFor();
  await shot(page, 'phone-test-call');
  // A second of the prompt (50 packets of 20 ms), not silence, then the appliance hangs up.
  await until(
    'the phone receives the prompt over RTP',
    () => (phone.received.length >= 50 ? true : undefined),
    {
      timeoutMs: 20_000,
    },
  );
  const audio = Buffer.concat(phone.received);
  assert.ok(
    audio.some((b) => b !== 0xff && b !== 0x7f),
    'the prompt is not μ-law silence',
  );
  await until('the appliance hangs up after the prompt', () => (phone.byes >= 1 ? true : undefined), {
    timeoutMs: 40_000,
  });
  // The admin role does not read the audit trail: a reader role does.
  assert.equal(
    (
      await admin.request('POST', '/api/roles', {
        id: 'trail-reader',
        description: 'reads the audit trail',
        permissions: ['audit.read'],
      })
    ).status,
    201,
  );
  const reader = await createSignedInUser(admin, 'trail.reader', ['trail-reader'], 'trail reader password 1');
  const audit = await reader.client.request('GET', '/api/audit?action=sip.test_call_placed&limit=10');
  const records = audit.json['records'] as Array<{ actor: string; details: Record<string, unknown> }>;
  assert.equal(records.length, 1);
  assert.equal(records[0]?.details['username'], 'desk-li');

  // Still agent.li's phone (their calls ring it): the confirmed delete is refused, naming the agent.
  await row.getByTestId('phone-delete').click();
  await row.getByTestId('phone-delete-confirm').click();
  const inUse = row.getByTestId('phone-delete-error');
  await inUse.waitFor();
  assert.equal(await inUse.getAttribute('data-code'), 'VOICE_ACCOUNT_IN_USE');
  assert.equal(await inUse.textContent(), zhCN['error.VOICE_ACCOUNT_IN_USE']);
  assert.deepEqual(await row.getByTestId('phone-used-by-item').allTextContents(), [
    `${zhCN['phones.usedBy.agent']}: agent.li`,
  ]);
  await shot(page, 'phone-in-use');
  await row.getByTestId('phone-delete-cancel').click();
  assert.equal((await admin.request('GET', '/api/voice/sip-accounts')).json['accounts'].length, 1);

  // Open → edit → save: the phone is nobody's now and its media must be SRTP; then delete with confirmation.
  await row.getByTestId('phone-open').click();
  await form.getByTestId('phone-agent').selectOption({ label: zhCN['phones.noAgent'] });
  await srtpRequired(form, 'phone-srtp');
  await form.getByTestId('phone-save').click();
  await until('the row shows no agent', async () =>
    (await row.textContent())?.includes(zhCN['phones.noAgent']) ? true : undefined,
  );
  const saved = await admin.request('GET', '/api/voice/sip-accounts');
  assert.equal(saved.json['accounts'][0].srtp, 'required');
  await row.getByTestId('phone-open').click();
  await srtpShown(form, 'phone-srtp');
  await row.getByTestId('phone-delete').click();
  await row.getByTestId('phone-delete-confirm').click();
  await until('the phone is gone', async () => ((await row.count()) === 0 ? true : undefined));
  const left = await admin.request('GET', '/api/voice/sip-accounts');
  assert.deepEqual(left.json['accounts'], []);
});

test('a carrier trunk by form: add, open, edit, save, delete with confirmation; its password is never shown', {
  timeout: 60_000,
}, async () => {
  const page = await adminPage();
  await page.getByTestId('nav-phones').click();
  const trunks = page.getByTestId('trunks');
  await trunks.getByTestId('trunk-new').click();
  const form = trunks.getByTestId('trunk-form');
  await form.getByTestId('trunk-name').fill('carrier');
  await form.getByTestId('trunk-host').fill('192.0.2.10');
  await form.getByTestId('trunk-username').fill('branch-a');
  await form.getByTestId('trunk-password').fill('carrier secret 1');
  await form.getByTestId('trunk-register').uncheck();
  await form.getByTestId('trunk-save').click();
  const row = trunks.getByTestId('trunk-row-carrier');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /192\.0\.2\.10:5060/);

  await row.getByTestId('trunk-open').click();
  assert.equal(await form.getByTestId('trunk-username').inputValue(), 'branch-a');
  assert.equal(await form.getByTestId('trunk-password').inputValue(), '', 'the password is not shown');
  await form.getByTestId('trunk-host').fill('192.0.2.11');
  await form.getByTestId('trunk-password').fill('carrier secret 2');
  await form.getByTestId('trunk-transport').selectOption('tls');
  await srtpRequired(form, 'trunk-srtp');
  await form.getByTestId('trunk-save').click();
  await until('the row shows the new host', async () =>
    (await row.textContent())?.includes('192.0.2.11') ? true : undefined,
  );
  const listed = await admin.request('GET', '/api/voice/trunks');
  assert.doesNotMatch(JSON.stringify(listed.json), /carrier secret/);
  assert.equal(listed.json['trunks'][0].srtp, 'required');
  assert.equal(listed.json['trunks'][0].transport, 'tls');
  await row.getByTestId('trunk-open').click();
  await srtpShown(form, 'trunk-srtp');

  await row.getByTestId('trunk-delete').click();
  await row.getByTestId('trunk-delete-confirm').click();
  await until('the trunk is gone', async () => ((await row.count()) === 0 ? true : undefined));
  assert.deepEqual((await admin.request('GET', '/api/voice/trunks')).json['trunks'], []);
});
