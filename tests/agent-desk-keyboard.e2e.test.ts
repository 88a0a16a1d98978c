// The agent desk by keyboard only, in zh-CN and English, against the real
// appliance: a customer (a real web-chat WebSocket client) writes; the offer
// card shows name, channel, queue name, a ticking wait and the first message,
// and has focus; Enter accepts and the reply box has focus; Enter sends (the
// customer receives it), Shift+Enter is a new line, an IME's Enter sends
// nothing; the ticket dialog opens prefilled and creates the ticket with the
// chosen priority on confirm, focus back on its button; wrap-up is a timed
// after-call-work form with focus, then focus is back on the desk. axe-core
// finds no serious/critical violation on the desk at each step; the skip link
// is the first Tab stop; the tab title names the page; after sign-out neither
// localStorage nor IndexedDB holds the customer's name or any message text.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, type WidgetMessage, WidgetSession } from '../web/src/widget/protocol.ts';
import { ok, useInboxHarness } from './inbox-helpers.ts';
import { seriousAxeViolations } from './support/axe.ts';
import { createSignedInUser } from './support/bootstrap.ts';
import { untilTrue } from './support/until.ts';

const h = useInboxHarness('agent-desk-keyboard');

const QUEUE = { id: 'retail', 'zh-CN': '零售业务', en: 'Retail banking' } as const;

/** Skill, queue and default workflow, once (the harness's own before() starts the appliance first). */
let routed: Promise<void> | undefined;
const routing = () => (routed ??= setUpRouting());
async function setUpRouting() {
  ok(await h.admin.request('PUT', '/api/routing/skills/cards', { name: 'Cards' }), 204);
  ok(await h.admin.request('PUT', `/api/routing/queues/${QUEUE.id}`, { name: QUEUE['zh-CN'] }), 204);
  ok(
    await h.admin.request('PUT', '/api/routing/workflows/main', {
      name: 'Main',
      isDefault: true,
      filters: [],
      defaultTarget: { queue: QUEUE.id, agentExpression: 'skills.cards >= 2' },
    }),
    204,
  );
}

/** Every customer socket, terminated at the end of each test (a closing socket must not keep the runner alive). */
const sockets: WebSocket[] = [];

/** A web-chat customer over the widget's WebSocket protocol, as the widget speaks it. */
async function customer(name: string, phone: string) {
  const got: WidgetMessage[] = [];
  const session = new WidgetSession({
    url: `${h.app.base.replace('http', 'ws')}/widget/ws`,
    token: randomId(24),
    connect: (url) => {
      const ws = new WebSocket(url);
      sockets.push(ws);
      return ws as unknown as SocketLike;
    },
    onMessage: (m) => got.push(m),
  });
  session.start();
  await untilTrue('the customer socket to connect', () => session.connected);
  session.prechat({ name, phone });
  return {
    session,
    replies: () => got.filter((m) => m.author === 'agent').map((m) => m.text),
  };
}

const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);

/** Presses Tab until the element with `testid` has focus (keyboard navigation, at most 120 stops). */
async function tabTo(page: Page, testid: string): Promise<number> {
  for (let stops = 1; stops <= 120; stops++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)) === testid) return stops;
  }
  throw new Error(`${testid} is not reachable by Tab (focus ended on ${await focused(page)})`);
}

async function noSeriousAxe(page: Page, where: string) {
  const found = await seriousAxeViolations(page);
  assert.deepEqual(found, [], `axe-core on ${where}: ${JSON.stringify(found, null, 1)}`);
}

/** Every IndexedDB record and localStorage entry of the page's origin, as one string. */
const DUMP = `(async () => {
  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const out = [];
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    const db = await req(indexedDB.open(info.name));
    for (const store of Array.from(db.objectStoreNames))
      out.push({ db: info.name, store, rows: await req(db.transaction(store, 'readonly').objectStore(store).getAll()) });
    db.close();
  }
  const local = {};
  for (let i = 0; i < localStorage.length; i++) local[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
  return JSON.stringify({ indexedDb: out, localStorage: local });
})()`;
const dump = (page: Page) => page.evaluate(DUMP) as Promise<string>;

const TEXT = {
  'zh-CN': {
    channel: '网页在线客服',
    desk: '坐席工作台',
    skip: '跳到主要内容',
    first: (tag: string) => `我的银行卡被ATM吞了 ${tag}`,
    reply: (tag: string) => `您好，已为您挂失 ${tag}`,
    lineA: '新卡将在三个工作日内寄出',
    lineB: '请留意短信通知',
    diagnosis: '读卡器故障',
  },
  en: {
    channel: 'Web chat',
    desk: 'Agent desk',
    skip: 'Skip to main content',
    first: (tag: string) => `The ATM swallowed my card ${tag}`,
    reply: (tag: string) => `Hello, the card is blocked ${tag}`,
    lineA: 'A new card is posted within three working days',
    lineB: 'Watch for a text message',
    diagnosis: 'card reader jammed',
  },
} as const;

async function deskFlow(lang: 'zh-CN' | 'en') {
  await routing();
  const x = TEXT[lang];
  const tag = randomUUID().slice(0, 8);
  const username = `kb.${lang.toLowerCase()}`;
  const password = `keyboard desk ${lang} password 2026`;
  ok(await h.admin.request('PUT', `/api/routing/queues/${QUEUE.id}`, { name: QUEUE[lang] }), 204);
  const agent = await createSignedInUser(h.admin, username, ['agent'], password);
  ok(
    await h.admin.request('PUT', `/api/routing/agents/${agent.userId}`, {
      skills: { cards: 3 },
      languages: ['zh', 'en'],
      capacity: { webchat: 3 },
      totalCapacity: 3,
    }),
    204,
  );
  const desk = await h.newPage();
  const name = lang === 'zh-CN' ? `钱${tag}女士` : `Ms Qian ${tag}`;
  const first = x.first(tag);
  const reply = x.reply(tag);
  const people: Array<Awaited<ReturnType<typeof customer>>> = [];
  try {
    await desk.goto(h.app.httpsBase);
    await desk.getByTestId('login-username').waitFor();
    if (lang === 'zh-CN') await desk.getByTestId('lang-switch').selectOption('zh-CN');
    // The skip link is the first Tab stop, on the sign-in page as on every page.
    await desk.keyboard.press('Tab');
    assert.equal(await focused(desk), 'skip-link');
    assert.equal((await desk.getByTestId('skip-link').textContent())?.trim(), x.skip);
    await desk.getByTestId('login-username').fill(username);
    await desk.getByTestId('login-password').fill(password);
    await desk.getByTestId('login-password').press('Enter');
    await desk.getByTestId('nav-agent').click();
    await desk.getByTestId('agent-state').selectOption('available');
    await desk.getByTestId('agent-no-offers').waitFor();
    await untilTrue(
      'the tab title names the desk',
      async () => (await desk.title()) === `${x.desk} · Branchline`,
    );
    assert.equal(await desk.locator('h1').count(), 1, 'one h1 on the desk');
    await noSeriousAxe(desk, 'the idle desk');

    // The customer writes; the offer card rings with what the agent needs, and has focus.
    const phone = `+86139${String(Date.now()).slice(-8)}`;
    const c = await customer(name, phone);
    people.push(c);
    c.session.send(first);
    await desk.getByTestId('offer-pop').waitFor({ timeout: 15_000 });
    await untilTrue('Accept has focus', async () => (await focused(desk)) === 'offer-accept');
    await untilTrue('the offer names the customer', async () => {
      return (await desk.getByTestId('offer-customer').textContent()) === name;
    });
    assert.equal(await desk.getByTestId('offer-channel').textContent(), x.channel);
    assert.equal(await desk.getByTestId('offer-queue').textContent(), QUEUE[lang]);
    assert.equal(await desk.getByTestId('offer-preview').textContent(), first);
    const wait0 = (await desk.getByTestId('offer-wait').textContent()) ?? '';
    assert.match(wait0, /^\d+:\d\d$/);
    await untilTrue(
      'the wait ticks',
      async () => (await desk.getByTestId('offer-wait').textContent()) !== wait0,
    );
    assert.match((await desk.getByTestId('agent-announce').textContent()) ?? '', new RegExp(x.channel));
    await h.shot(desk, `${lang}-01-offer`);
    await noSeriousAxe(desk, 'the desk with an offer ringing');

    // Enter accepts; the reply box has focus.
    await desk.keyboard.press('Enter');
    const view = desk.locator('[data-testid="conversation-view"][data-state="active"]');
    await view.waitFor();
    const contactId = (await view.getAttribute('data-contact-id')) ?? '';
    await untilTrue('the reply box has focus', async () => (await focused(desk)) === 'composer-text');

    // Enter sends; the customer receives it.
    await desk.keyboard.type(reply);
    await desk.keyboard.press('Enter');
    await untilTrue('the customer receives the reply', () => c.replies().includes(reply), {
      timeoutMs: 15_000,
    });
    await untilTrue('the reply box empties once the reply is stored', async () => {
      return (await desk.getByTestId('composer-text').inputValue()) === '';
    });
    assert.equal(await focused(desk), 'composer-text', 'focus stays in the reply box');

    // An input method's Enter (choosing a candidate) sends nothing.
    await desk.keyboard.type(x.lineA);
    await desk.getByTestId('composer-text').evaluate((el) => {
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true }));
    });
    // Shift+Enter is a new line, not a send.
    await desk.keyboard.press('Shift+Enter');
    await desk.keyboard.type(x.lineB);
    assert.equal(await desk.getByTestId('composer-text').inputValue(), `${x.lineA}\n${x.lineB}`);
    assert.equal(
      await desk.locator('[data-testid="conv-message"][data-direction="out"]').count(),
      1,
      'neither the composing Enter nor Shift+Enter sent',
    );
    await desk.keyboard.press('Enter');
    await untilTrue('a second reply reaches the customer', () => c.replies().length >= 2);
    assert.deepEqual(
      c.replies(),
      [reply, `${x.lineA}\n${x.lineB}`],
      'the two lines arrive as one message; the composing Enter sent nothing',
    );
    await desk.locator('[data-testid="conv-message"][data-direction="out"]').nth(1).waitFor();
    await h.shot(desk, `${lang}-02-replied`);
    await noSeriousAxe(desk, 'the desk with an active conversation');

    // The ticket dialog, by keyboard: prefilled, priority chosen, created on confirm.
    await tabTo(desk, 'create-ticket');
    await desk.keyboard.press('Enter');
    await desk.getByTestId('create-ticket-dialog').waitFor();
    assert.equal(await focused(desk), 'create-ticket-subject');
    assert.equal(await desk.getByTestId('create-ticket-subject').inputValue(), first);
    assert.equal(await desk.getByTestId('create-ticket-priority').inputValue(), 'normal');
    assert.equal(
      await desk.getByTestId('create-ticket-done').count(),
      0,
      'opening the dialog created nothing',
    );
    await tabTo(desk, 'create-ticket-priority');
    await desk.keyboard.press('ArrowUp'); // normal → high
    assert.equal(await desk.getByTestId('create-ticket-priority').inputValue(), 'high');
    await desk.getByTestId('create-ticket-field-diagnosis').waitFor();
    await tabTo(desk, 'create-ticket-field-diagnosis');
    await desk.keyboard.type(x.diagnosis);
    await noSeriousAxe(desk, 'the ticket dialog');
    await tabTo(desk, 'create-ticket-confirm');
    await desk.keyboard.press('Enter');
    await desk.getByTestId('create-ticket-done').waitFor();
    await desk.getByTestId('create-ticket-dialog').waitFor({ state: 'hidden' });
    await untilTrue('focus back on the button that opened the dialog', async () => {
      return (await focused(desk)) === 'create-ticket';
    });
    const tickets = await agent.client.request('GET', `/api/tickets?contactId=${contactId}`);
    ok(tickets, 200);
    const list = tickets.json['tickets'] as Array<Record<string, unknown>>;
    assert.equal(list.length, 1);
    assert.equal(list[0]?.['subject'], first);
    assert.equal(list[0]?.['priority'], 'high');
    assert.deepEqual(list[0]?.['fields'], { diagnosis: x.diagnosis });
    await h.shot(desk, `${lang}-03-ticket`);

    // Wrap-up: the after-call-work form has focus and a timer; finishing returns focus to the desk.
    await tabTo(desk, 'wrapup-start');
    await desk.keyboard.press('Enter');
    await desk.getByTestId('wrapup-box').waitFor();
    await untilTrue('the wrap-up code has focus', async () => (await focused(desk)) === 'wrapup-code');
    const timer0 = (await desk.getByTestId('wrapup-timer').textContent()) ?? '';
    assert.match(timer0, /\d+:\d\d/);
    await untilTrue('the wrap-up timer ticks', async () => {
      return (await desk.getByTestId('wrapup-timer').textContent()) !== timer0;
    });
    await noSeriousAxe(desk, 'the desk in after-call work');
    await desk.keyboard.press('ArrowDown'); // resolved → follow_up
    await desk.keyboard.press('Tab');
    assert.equal(await focused(desk), 'wrapup-finish');
    await desk.keyboard.press('Enter');
    await desk.locator('[data-testid="conv-closed"][data-code="follow_up"]').waitFor();
    await untilTrue('focus is back on the desk', async () => (await focused(desk)) === 'agent-desk-title');
    const closed = await agent.client.request('GET', `/api/contacts/${contactId}`);
    assert.equal(closed.json['contact'].state, 'closed');
    assert.equal(closed.json['contact'].wrapUpCode, 'follow_up');

    // A new offer rings: the closed conversation is not shown behind it.
    const name2 = lang === 'zh-CN' ? `孙${tag}先生` : `Mr Sun ${tag}`;
    const c2 = await customer(name2, `+86137${String(Date.now()).slice(-8)}`);
    people.push(c2);
    c2.session.send(`${first} (2)`);
    await desk.getByTestId('offer-pop').waitFor({ timeout: 15_000 });
    assert.equal(
      await desk.getByTestId('conversation-view').count(),
      0,
      'no closed conversation behind the offer',
    );
    await untilTrue('the second offer names its customer', async () => {
      return (await desk.getByTestId('offer-customer').textContent()) === name2;
    });
    // Reject by keyboard: Accept has focus, Reject is the next stop.
    await untilTrue('Accept has focus', async () => (await focused(desk)) === 'offer-accept');
    await desk.keyboard.press('Tab');
    assert.equal(await focused(desk), 'offer-reject');
    await h.shot(desk, `${lang}-04-second-offer`);
    const offerId = await desk.getByTestId('offer-pop').getAttribute('data-offer-id');
    await desk.keyboard.press('Enter');
    await desk
      .locator(`[data-testid="offer-pop"][data-offer-id="${offerId}"]`)
      .waitFor({ state: 'detached' });
    // Offline, so the rejected chat is not offered to this agent again; then it is ended for the next test.
    ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'offline' }), 200);
    await desk.getByTestId('offer-pop').waitFor({ state: 'detached' });
    const queued = await h.admin.request('GET', '/api/contacts?scope=all&state=queued');
    for (const k of queued.json['contacts'] as Array<{ id: string }>)
      ok(await h.admin.request('POST', `/api/contacts/${k.id}/transition`, { to: 'abandoned' }), 200);

    // Signed out: nothing of the customers stays in the browser.
    const secrets = [name, name2, first, reply, x.lineA, x.lineB];
    const beforeOut = await dump(desk);
    assert.ok(beforeOut.includes(name), 'the working set was stored locally while signed in');
    await desk.getByTestId('logout').focus();
    await desk.keyboard.press('Enter');
    await desk.getByTestId('login-username').waitFor();
    let last = '';
    await untilTrue('local storage without the names and texts', async () => {
      last = await dump(desk);
      return secrets.every((s) => !last.includes(s));
    }).catch(() => assert.fail(`customer data left after sign-out: ${last.slice(0, 600)}`));
    await noSeriousAxe(desk, 'the sign-in page');
    assert.deepEqual(h.cspErrors, []);
  } catch (err) {
    await h.failureShots({ desk });
    throw err;
  } finally {
    for (const p of people) p.session.close();
    for (const ws of sockets.splice(0)) ws.terminate();
  }
}

test('zh-CN: offer → Enter accepts → Enter replies → Shift+Enter new line → ticket dialog → wrap-up → desk, by keyboard, axe-clean, nothing left after sign-out', async () => {
  await deskFlow('zh-CN');
});

test('en: offer → Enter accepts → Enter replies → Shift+Enter new line → ticket dialog → wrap-up → desk, by keyboard, axe-clean, nothing left after sign-out', async () => {
  await deskFlow('en');
});
