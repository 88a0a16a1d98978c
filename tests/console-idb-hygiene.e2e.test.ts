// Customer data must not stay on a shared branch PC: an agent handles a chat
// from a customer with a unique name and text, then signs out (or is frozen by
// an admin while signed in), and every IndexedDB database of the console's
// origin is read record by record, and all of localStorage (where the RxDB
// working set lives); neither the name nor the texts may be left.
// The same pages must not print RxDB's advertisement, and visiting the sign-in
// page must not log a 401.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { chatAgent, ok, openDesk, useInboxHarness } from './inbox-helpers.ts';
import { untilTrue } from './support/until.ts';

const h = useInboxHarness('console-idb-hygiene');

/**
 * Every record of every IndexedDB database of the page's origin and every
 * localStorage entry, as one JSON string. Plain browser JavaScript in a
 * string: tsx would add helpers the page lacks.
 */
const DUMP_INDEXED_DB = `(async () => {
  const req = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const out = [];
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    const db = await req(indexedDB.open(info.name));
    for (const store of Array.from(db.objectStoreNames)) {
      const rows = await req(db.transaction(store, 'readonly').objectStore(store).getAll());
      out.push({ db: info.name, store, rows });
    }
    db.close();
  }
  const local = {};
  for (let i = 0; i < localStorage.length; i++) local[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
  return JSON.stringify({ indexedDb: out, localStorage: local });
})()`;

function dumpLocalData(page: Page): Promise<string> {
  return page.evaluate(DUMP_INDEXED_DB) as Promise<string>;
}

/** Records what a page prints and every 401 it receives. */
function watch(page: Page) {
  const messages: string[] = [];
  const unauthorized: string[] = [];
  page.on('console', (m) => messages.push(m.text()));
  page.on('response', (r) => {
    if (r.status() === 401) unauthorized.push(r.url());
  });
  return { messages, unauthorized };
}

/** Polls until every one of `needles` is in the page's IndexedDB or localStorage. */
function untilStored(page: Page, needles: string[]): Promise<void> {
  return untilTrue(`${needles.join(', ')} stored locally while signed in`, async () => {
    const dump = await dumpLocalData(page);
    return needles.every((n) => dump.includes(n));
  });
}

/**
 * A visitor chat with a unique customer name and text, accepted and answered by
 * the agent; checks on the way that the working set really is stored locally
 * (the preview follows the latest message), so the checks after the end can fail.
 */
async function handleChat(
  desk: Page,
  visitor: Page,
  secrets: { name: string; phone: string; text: string; reply: string },
) {
  const { name, phone, text, reply } = secrets;
  await visitor.goto(`${h.app.base}/widget/demo.html`);
  await visitor.getByTestId('bl-launcher').click();
  await visitor.getByTestId('bl-prechat-name').fill(name);
  await visitor.getByTestId('bl-prechat-phone').fill(phone);
  await visitor.getByTestId('bl-prechat-start').click();
  await visitor.getByTestId('bl-input').fill(text);
  await visitor.getByTestId('bl-send').click();
  await desk.getByTestId('offer-pop').waitFor({ timeout: 10_000 });
  await desk.getByTestId('offer-accept').click();
  await desk.locator('[data-testid="conversation-view"][data-state="active"]').waitFor();
  await untilStored(desk, [name, text]);
  await desk.getByTestId('composer-text').fill(reply);
  await desk.getByTestId('composer-send').click();
  await desk.locator('[data-testid="conv-message"][data-direction="out"]').waitFor();
  await untilStored(desk, [name, reply]);
}

async function runScenario(label: string, end: (desk: Page, agentId: string) => Promise<void>) {
  const password = `idb ${label} agent password 2026`;
  // declared first: workflows that read an undeclared skill are refused
  ok(await h.admin.request('PUT', '/api/routing/skills/cards', { name: 'Cards' }), 204);
  const agent = await chatAgent(h.admin, `idb.${label}`, password);
  const desk = await h.newPage();
  const visitor = await h.newPage();
  const seen = watch(desk);
  const tag = randomUUID().slice(0, 8);
  const name = `Qiu${tag}Customer`;
  const text = `Lost passbook ${tag} at the Xinjiekou branch`;
  const reply = `Passbook ${tag} is blocked`;
  const secrets = [name, text, reply];
  try {
    await openDesk(desk, h.app.httpsBase, `idb.${label}`, password);
    // a phone of its own: a known phone would link the chat to an earlier customer and name
    const phone = `+86138${String(Date.now()).slice(-8)}`;
    await handleChat(desk, visitor, { name, phone, text, reply });

    await end(desk, agent.userId);
    await desk.getByTestId('login-username').waitFor();
    let last = '';
    await untilTrue('local storage without the name and texts', async () => {
      last = await dumpLocalData(desk);
      return secrets.every((s) => !last.includes(s));
    }).catch(() => assert.fail(`customer data left on the PC after ${label}: ${last.slice(0, 600)}`));

    assert.deepEqual(
      seen.messages.filter((m) => /rxdb/i.test(m)),
      [],
      'no RxDB advertisement in the console',
    );
    assert.deepEqual(h.cspErrors, []);
    return agent.userId;
  } catch (err) {
    await h.failureShots({ desk, visitor });
    throw err;
  }
}

test('after sign-out no IndexedDB database or localStorage entry of the console holds the customer name or texts', async () => {
  const agentId = await runScenario('logout', async (desk) => {
    await desk.getByTestId('logout').click();
  });
  // offline for routing, so the next scenario's chat is offered to its own agent
  ok(await h.admin.request('POST', `/api/users/${agentId}/freeze`, { reason: 'test over' }), 200);
});

test('after an admin freezes the signed-in agent no IndexedDB database or localStorage entry holds the customer name or texts', async () => {
  await runScenario('frozen', async (desk, agentId) => {
    ok(await h.admin.request('POST', `/api/users/${agentId}/freeze`, { reason: 'left the company' }), 200);
    await desk.getByTestId('session-ended-banner').waitFor();
  });
});

test('visiting the sign-in page logs no 401 and no RxDB advertisement', async () => {
  const page = await h.newPage();
  const seen = watch(page);
  await page.goto(h.app.httpsBase);
  await page.getByTestId('login-username').waitFor();
  // the console's boot request has settled once the form shows; nothing else may fail
  await page.waitForLoadState('networkidle');
  assert.deepEqual(seen.unauthorized, [], 'no request answered 401');
  assert.deepEqual(
    seen.messages.filter((m) => /401|unauthori[sz]ed|rxdb/i.test(m)),
    [],
    'no console message about a 401 or RxDB',
  );
});
