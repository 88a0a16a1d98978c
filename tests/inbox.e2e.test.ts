// The agent inbox in real Chromium against the real appliance: a visitor chats
// in the widget, the agent gets the offer pop with its countdown, accepts,
// replies from the composer, the visitor sees the reply, and the agent wraps
// the contact up with a code until it is closed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatAgent, ok, openDesk, startChat, useInboxHarness } from './inbox-helpers.ts';

const h = useInboxHarness('inbox');

test('an agent accepts a widget chat from the offer pop, replies from the composer, and wraps it up closed with a code', async () => {
  const password = 'inbox agent password 2026';
  const agent = await chatAgent(h.admin, 'inbox.agent', password);
  const desk = await h.newPage();
  const visitor = await h.newPage();
  try {
    await openDesk(desk, h.app.httpsBase, 'inbox.agent', password);
    await h.shot(desk, '01-desk-available');

    await startChat(visitor, h.app.base, 'My card was swallowed by the ATM');

    const pop = desk.getByTestId('offer-pop');
    await pop.waitFor({ timeout: 10_000 });
    const countdown = await desk.getByTestId('offer-countdown').textContent();
    const seconds = Number(/(\d+)/.exec(countdown ?? '')?.[1]);
    assert.ok(seconds > 0 && seconds <= 20, `countdown shows the seconds left: ${countdown}`);
    await h.shot(desk, '02-offer-pop');
    await desk.getByTestId('offer-accept').click();

    const view = desk.getByTestId('conversation-view');
    await view.waitFor();
    const contactId = (await view.getAttribute('data-contact-id')) ?? '';
    await desk.locator('[data-testid="conversation-view"][data-state="active"]').waitFor();
    await desk.getByTestId('conv-message-text').first().waitFor();
    assert.equal(
      await desk.getByTestId('conv-message-text').first().textContent(),
      'My card was swallowed by the ATM',
    );
    await desk.getByTestId(`inbox-contact-${contactId}`).waitFor();
    assert.equal(
      await desk.getByTestId(`inbox-contact-${contactId}`).getAttribute('data-channel'),
      'webchat',
    );
    await desk.getByTestId('screenpop-card').waitFor();
    assert.equal(await desk.getByTestId('screenpop-name').textContent(), 'Zhao Lei');
    await desk.locator('[data-testid="timeline-entry"][data-channel="webchat"]').first().waitFor();

    await desk.getByTestId('composer-text').fill('We have blocked the card; a new one is on its way.');
    await desk.getByTestId('composer-send').click();
    await desk.locator('[data-testid="conv-message"][data-direction="out"]').waitFor();
    await h.shot(desk, '03-replied');

    const reply = visitor.getByTestId('bl-msg-agent');
    await reply.first().waitFor({ timeout: 10_000 });
    assert.equal(await reply.first().textContent(), 'We have blocked the card; a new one is on its way.');
    await h.shot(visitor, '04-widget-reply');

    await desk.getByTestId('wrapup-start').click();
    await desk.getByTestId('wrapup-code').selectOption('resolved');
    await h.shot(desk, '05-wrap-up');
    await desk.getByTestId('wrapup-finish').click();
    await desk.locator('[data-testid="conv-closed"][data-code="resolved"]').waitFor();
    await h.shot(desk, '06-closed');

    const r = await agent.client.request('GET', `/api/contacts/${contactId}`);
    ok(r, 200);
    assert.equal(r.json['contact'].state, 'closed');
    assert.equal(r.json['contact'].wrapUpCode, 'resolved');
    assert.equal(r.json['contact'].agentId, agent.userId);
    assert.ok(r.json['contact'].timeline.wrap_up, 'the contact went through wrap-up');
    // Closed contacts leave the working list.
    await desk.getByTestId('inbox-empty').waitFor();
    assert.deepEqual(h.cspErrors, []);
  } catch (err) {
    await h.failureShots({ desk, visitor });
    throw err;
  }
});
