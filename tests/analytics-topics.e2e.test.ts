// Topic mining against the real appliance process: web chat visitors type through
// the public widget socket, and the supervisor's topic report shows the term that
// three customers used, never their phone numbers nor a term only two people used.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { ok } from './inbox-helpers.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { launchChromium, signedInContext } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;
const sockets: WebSocket[] = [];

before(async () => {
  const tmp = await tempDataDir('bl-topics-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await app?.stop();
  await cleanup?.();
});

/** One new web visitor (a new customer) says `text` through the widget socket. */
async function visitorSays(text: string): Promise<void> {
  const frames: Array<Record<string, unknown>> = [];
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/widget/ws`);
  sockets.push(ws);
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ t: 'hello', token: randomBytes(18).toString('base64url'), lastSeq: 0 }));
  await until('widget welcome', () => frames.find((f) => f['t'] === 'welcome'));
  ws.send(JSON.stringify({ t: 'send', cid: 'm1', text }));
}

type Term = { term: string; window: number; customers: number; series: number[] };

test('GET /api/analytics/topics shows the term three web chat customers used and hides phones and rarer terms', async () => {
  for (const phone of ['13912345678', '13812345678', '13712345678'])
    await visitorSays(`我的银行卡丢了要挂失，手机${phone}`);
  for (let i = 0; i < 2; i++) await visitorSays('理财收益怎么算');

  const report = await until(
    'the planted term in the topic report',
    async () => {
      const r = await admin.request('GET', '/api/analytics/topics?days=7&baseline=28&limit=50');
      ok(r, 200);
      const top = r.json['top'] as Term[];
      return top.some((t) => t.term === '挂失') ? r.json : undefined;
    },
    { timeoutMs: 15_000, everyMs: 100 },
  );
  const top = report['top'] as Term[];
  const planted = top.find((t) => t.term === '挂失') as Term;
  assert.equal(planted.window, 3);
  assert.equal(planted.customers, 3);
  assert.equal(planted.series.length, 35);
  assert.ok(
    (report['emerging'] as Term[]).some((t) => t.term === '挂失'),
    'new with no baseline yet',
  );
  const all = ['top', 'emerging', 'rising', 'falling'].flatMap((k) => report[k] as Term[]);
  for (const t of all) {
    assert.doesNotMatch(t.term, /\d/);
    assert.notEqual(t.term, '理财');
  }
  assert.equal(report['k'], 3);

  // The supervisor's console page shows the same term, in Chromium, in zh-CN.
  const browser = await launchChromium();
  try {
    const ctx = await signedInContext(browser, admin, { locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(app.base);
    await page.getByTestId('nav-topics').click();
    const emerging = page.getByTestId('tp-emerging-term');
    await emerging.first().waitFor({ timeout: 15_000 });
    assert.ok((await emerging.allTextContents()).some((t) => t.includes('挂失')));
    assert.doesNotMatch((await page.getByTestId('topics-panel').textContent()) ?? '', /1[3-9]\d{9}|理财/);
  } finally {
    await browser.close();
  }
});

test('GET /api/analytics/behaviour reports the web chat channel mix rejects an out-of-range window, and both routes are in the OpenAPI document', async () => {
  // Contacts are folded asynchronously; wait for all five visitors' contacts.
  const json = await until('five contacts in the behaviour report', async () => {
    const r = await admin.request('GET', '/api/analytics/behaviour?days=7');
    ok(r, 200);
    return r.json['contacts'] === 5 ? r.json : undefined;
  });
  const mix = json['channelMix'] as Array<{ channel: string; contacts: number }>;
  assert.deepEqual(
    mix.map((c) => [c.channel, c.contacts]),
    [['webchat', 5]],
  );
  assert.equal(json['customers'], 5);
  assert.equal(json['repeat'].rate, 0);
  ok(await admin.request('GET', '/api/analytics/behaviour?days=0'), 400);
  ok(await admin.request('GET', '/api/analytics/topics?days=400'), 400);
  const doc = await admin.request('GET', '/api/openapi.json');
  ok(doc, 200);
  assert.ok(doc.json['paths']['/api/analytics/topics'], 'topics route in the OpenAPI document');
  assert.ok(doc.json['paths']['/api/analytics/behaviour'], 'behaviour route in the OpenAPI document');
});

test('POST /api/analytics/topics/backfill needs system.manage, skips what was counted live, and leaves one audit record per run', async () => {
  ok(
    await admin.request('POST', '/api/roles', {
      id: 'topic-watcher',
      description: 'reads reports and the audit trail',
      permissions: ['contacts.monitor', 'audit.read'],
    }),
    201,
  );
  const watcher = await createSignedInUser(
    admin,
    'topic.watcher',
    ['topic-watcher'],
    'topic watcher password 1',
  );
  ok(await watcher.client.request('POST', '/api/analytics/topics/backfill'), 403);
  const none = await watcher.client.request('GET', '/api/analytics/topics/backfill');
  ok(none, 200);

  const runs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const started = await admin.request('POST', '/api/analytics/topics/backfill');
    ok(started, 202);
    runs.push(started.json['runId'] as string);
    const done = await until('the backfill run finished', async () => {
      const r = await watcher.client.request('GET', '/api/analytics/topics/backfill');
      ok(r, 200);
      return r.json['status'] === 'done' && r.json['runId'] === runs[i] ? r.json : undefined;
    });
    // Every widget message was counted live and marked: nothing is counted twice.
    assert.equal(done['counted'], 0);
    assert.equal(done['skipped'], 5);
  }
  const report = await admin.request('GET', '/api/analytics/topics?days=7&baseline=28&limit=50');
  const lost = (report.json['top'] as Term[]).find((t) => t.term === '挂失');
  assert.equal(lost?.window, 3);

  const audit = await watcher.client.request('GET', '/api/audit?limit=1000');
  ok(audit, 200);
  const backfills = (audit.json['records'] as Array<Record<string, unknown>>).filter(
    (r) => r['action'] === 'analytics.topics_backfill',
  );
  assert.deepEqual(
    backfills.map((r) => r['target']).sort(),
    runs.map((id) => `analytics:topics_backfill:${id}`).sort(),
  );
  const doc = await admin.request('GET', '/api/openapi.json');
  assert.ok(doc.json['paths']['/api/analytics/topics/backfill'], 'backfill route in the OpenAPI document');
});

test('the admin’s “Backfill older messages” button on the Topics page starts a run and shows it reach done', async () => {
  const before = await admin.request('GET', '/api/analytics/topics/backfill');
  ok(before, 200);
  const previousRun = before.json['runId'] as string | undefined;
  const browser = await launchChromium();
  try {
    const ctx = await signedInContext(browser, admin, { locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(app.base);
    await page.getByTestId('nav-topics').click();
    const status = page.getByTestId('tp-backfill-status');
    // The earlier runs' state is shown before anything is clicked.
    await page
      .locator(`[data-testid="tp-backfill-status"][data-run-id="${previousRun}"]`)
      .waitFor({ timeout: 15_000 });
    await page.getByTestId('tp-backfill-start').click();
    await page
      .locator(
        '[data-testid="tp-backfill-status"][data-status="done"]:not([data-run-id="' + previousRun + '"])',
      )
      .waitFor({ timeout: 20_000 });
    const text = (await status.textContent()) ?? '';
    assert.match(text, /Older messages counted\./);
    assert.match(text, /0 counted, 5 already counted/);
    // A supervisor without system.manage sees the report but no button.
    const viewer = await createSignedInUser(
      admin,
      'topic.viewer',
      ['topic-watcher'],
      'topic viewer password 1',
    );
    const viewerPage = await (await signedInContext(browser, viewer.client, { locale: 'en-US' })).newPage();
    await viewerPage.goto(app.base);
    await viewerPage.getByTestId('nav-topics').click();
    await viewerPage.getByTestId('tp-behaviour').waitFor({ timeout: 15_000 });
    assert.equal(await viewerPage.getByTestId('tp-backfill').count(), 0);
  } finally {
    await browser.close();
  }
  const after = await admin.request('GET', '/api/analytics/topics/backfill');
  assert.equal(after.json['status'], 'done');
  assert.notEqual(after.json['runId'], previousRun, 'the click started a new run');
});
