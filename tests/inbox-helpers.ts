// Shared steps for the inbox browser tests (not a test file itself).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';
import type { ApiClient } from './support/client.ts';

export const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

/** Routing for chat (queue + default workflow) and a chat agent with the cards skill, routed by the default workflow; returns its credentials. */
export async function chatAgent(admin: ApiClient, username: string, password: string) {
  // Routing refuses a condition or profile naming a skill it does not know: the skill comes first.
  ok(await admin.request('PUT', '/api/routing/skills/cards', { name: 'Cards' }), 204);
  ok(await admin.request('PUT', '/api/routing/queues/chat', { name: 'Chat' }), 204);
  ok(
    await admin.request('PUT', '/api/routing/workflows/main', {
      name: 'Main',
      isDefault: true,
      filters: [],
      defaultTarget: { queue: 'chat', agentExpression: 'skills.cards >= 2' },
    }),
    204,
  );
  const agent = await createSignedInUser(admin, username, ['agent'], password);
  ok(
    await admin.request('PUT', `/api/routing/agents/${agent.userId}`, {
      skills: { cards: 3 },
      languages: ['zh', 'en'],
      capacity: { webchat: 3, email: 5 },
      totalCapacity: 5,
    }),
    204,
  );
  return agent;
}

/** Signs in to the console in Chromium and opens the agent desk, set available. */
export async function openDesk(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(base);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-agent').click();
  await page.getByTestId('agent-state').selectOption('available');
  await page.getByTestId('agent-no-offers').waitFor();
}

/** Opens the widget demo page as a visitor, fills the pre-chat form and sends one message. */
export async function startChat(page: Page, base: string, text: string): Promise<void> {
  await page.goto(`${base}/widget/demo.html`);
  await page.getByTestId('bl-launcher').click();
  await page.getByTestId('bl-prechat-name').fill('Zhao Lei');
  await page.getByTestId('bl-prechat-phone').fill('+8613800138000');
  await page.getByTestId('bl-prechat-start').click();
  await page.getByTestId('bl-input').fill(text);
  await page.getByTestId('bl-send').click();
  await page.getByTestId('bl-msg-me').first().waitFor({ timeout: 10_000 });
}

export interface InboxHarness {
  /** The running appliance (set once the `before` hook has run). */
  readonly app: RunningAppliance;
  readonly admin: ApiClient;
  /** Console messages from every page that name the Content Security Policy. */
  readonly cspErrors: string[];
  /** A fresh English-locale browser context and page that records CSP violations. */
  newPage(): Promise<Page>;
  /** A screenshot in the artifacts folder named `<name>-<step>.png`. */
  shot(page: Page, step: string): Promise<unknown>;
  /** Best-effort screenshots of each page after a failed step, named `failure-<key>`. */
  failureShots(pages: Record<string, Page>): Promise<void>;
}

/**
 * Registers the hooks the inbox browser tests share: a temp data dir, the real
 * appliance, a bootstrapped admin and Chromium, all closed in `after`.
 */
export function useInboxHarness(name: string, options: { fullPage?: boolean } = {}): InboxHarness {
  let app: RunningAppliance | undefined;
  let admin: ApiClient | undefined;
  let browser: Browser | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  const cspErrors: string[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The inbox harness is used before its before() hook ran');
    return value;
  };

  before(async () => {
    const tmp = await tempDataDir(`bl-${name}-`);
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

  const shot = (page: Page, step: string) =>
    page.screenshot({
      path: path.join(ARTIFACTS, `${name}-${step}.png`),
      ...(options.fullPage ? { fullPage: true } : {}),
    });
  return {
    get app() {
      return started(app);
    },
    get admin() {
      return started(admin);
    },
    cspErrors,
    async newPage() {
      const ctx = await started(browser).newContext({ ignoreHTTPSErrors: true, locale: 'en-US' });
      const page = await ctx.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
      });
      return page;
    },
    shot,
    async failureShots(pages) {
      for (const [key, page] of Object.entries(pages))
        await shot(page, `failure-${key}`).catch(() => undefined);
    },
  };
}
