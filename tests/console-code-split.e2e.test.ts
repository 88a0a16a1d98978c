// The console is split per page (issue 16): an agent who signs in and opens the desk
// must not download the code of admin pages or of the softphone, and a page whose chunk
// cannot be fetched says so (translated) and loads on the next visit instead of breaking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { chatAgent, openDesk, useInboxHarness } from './inbox-helpers.ts';

const h = useInboxHarness('console-code-split');
const PASSWORD = 'code split agent password 1';

/** Test ids that exist only in the code of pages an agent does not open on the desk. */
const NOT_ON_THE_DESK = {
  'setup wizard': 'setup-wizard',
  'users page': 'users-table',
  'audit page': 'audit-table',
  'workflow diagram': 'wf-diagram',
  'softphone (WebRTC)': 'softphone-state',
  'knowledge page': 'kb-panel',
};

/** The body of every script the page receives from the appliance, by URL. */
function scriptBodies(page: Page, origin: string): Map<string, Promise<string>> {
  const bodies = new Map<string, Promise<string>>();
  page.on('response', (res) => {
    const url = res.url();
    if (url.startsWith(origin) && /\.js$/.test(new URL(url).pathname) && !bodies.has(url))
      bodies.set(
        url,
        res.text().catch(() => ''),
      );
  });
  return bodies;
}

let agentReady: Promise<unknown> | undefined;
const agent = () => {
  agentReady ??= chatAgent(h.admin, 'split.agent', PASSWORD);
  return agentReady;
};

test('an agent opening the desk downloads no admin page and no softphone code', async () => {
  await agent();
  const page = await h.newPage();
  const bodies = scriptBodies(page, h.app.httpsBase);
  try {
    await openDesk(page, h.app.httpsBase, 'split.agent', PASSWORD);
    // "no contacts" shows once the RxDB replica answered: the desk's lazy chunks have arrived
    await page.getByTestId('inbox-empty').waitFor();
    const code = (await Promise.all(bodies.values())).join('\n');
    assert.ok(code.includes('agent-desk'), 'the desk code itself was counted');
    const loaded = Object.entries(NOT_ON_THE_DESK).filter(([, id]) => code.includes(`"${id}"`));
    assert.deepEqual(loaded, [], `code the desk does not need: ${[...bodies.keys()].join(', ')}`);
  } catch (e) {
    await h.failureShots({ desk: page });
    throw e;
  } finally {
    await page.context().close();
  }
});

test('a page whose chunk fails to load shows NETWORK_ERROR and loads on the next visit', async () => {
  await agent();
  const page = await h.newPage();
  try {
    await openDesk(page, h.app.httpsBase, 'split.agent', PASSWORD);
    const chunk = /\/assets\/kb-panel-[\w-]+\.js$/;
    await page.route(chunk, (route) => route.abort('connectionreset'));
    await page.getByTestId('nav-knowledge').click();
    const failed = page.getByTestId('panel-load-error');
    await failed.waitFor();
    assert.equal(await failed.getAttribute('data-code'), 'NETWORK_ERROR');
    assert.equal(
      await failed.innerText(),
      'Cannot reach the appliance. Check the network connection.',
      'the translated text, not a raw error',
    );
    await h.shot(page, 'chunk-failed');
    // the network is back: the next visit reloads the console (a document never re-fetches a
    // module whose import failed) and the page renders
    await page.unroute(chunk);
    await page.getByTestId('nav-home').click();
    await page.getByTestId('nav-knowledge').click();
    await page.getByTestId('kb-panel').waitFor();
    assert.equal(await page.getByTestId('panel-load-error').count(), 0);
  } catch (e) {
    await h.failureShots({ page });
    throw e;
  } finally {
    await page.context().close();
  }
});
