// Shared steps for the inbox browser tests (not a test file itself).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';

export const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

/** Routing for chat (queue + default workflow) and a chat agent with the cards skill, routed by the default workflow; returns its credentials. */
export async function chatAgent(admin: ApiClient, username: string, password: string) {
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
