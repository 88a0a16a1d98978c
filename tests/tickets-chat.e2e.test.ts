// Issue 5 end to end in Chromium: a widget chat becomes a ticket from the
// inbox, goes L1 → L2 (refused first without a diagnosis, the refusal shown in
// Chinese), the chat is closed, the ticket is resolved, and the visitor reads
// both progress notices in the same widget conversation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatAgent, ok, openDesk, startChat, useInboxHarness } from './inbox-helpers.ts';

const h = useInboxHarness('tickets-chat', { fullPage: true });

test('a chat becomes a ticket, is refused L2 without a diagnosis, reaches L2 and is resolved, and the visitor gets both notices in the widget', async () => {
  const password = 'ticket chat agent password 1';
  const agent = await chatAgent(h.admin, 'tc.agent', password);
  const desk = await h.newPage();
  const visitor = await h.newPage();
  try {
    await openDesk(desk, h.app.httpsBase, 'tc.agent', password);
    await startChat(visitor, h.app.base, 'The ATM kept my card at branch 3');
    await desk.getByTestId('offer-accept').click();
    const view = desk.locator('[data-testid="conversation-view"][data-state="active"]');
    await view.waitFor();
    const contactId = (await view.getAttribute('data-contact-id')) ?? '';

    await desk.getByTestId('create-ticket').click();
    // the dialog (issue 13): prefilled, created on confirm
    await desk.getByTestId('create-ticket-confirm').click();
    const done = await desk.getByTestId('create-ticket-done').textContent();
    const number = /BR-\d{6}/.exec(done ?? '')?.[0] ?? '';
    assert.ok(number, `the new ticket number is shown: ${done}`);
    await desk.getByTestId('ticket-detail').waitFor();
    await desk.getByTestId('ticket-move-open').click();
    await desk.locator('[data-testid="ticket-state"]', { hasText: /open/i }).waitFor();
    await desk.getByTestId('ticket-move-l1').click();
    await desk.getByTestId('ticket-move-l2').waitFor();

    // The console in Chinese: the guard's refusal is translated from its code and details.
    await desk.getByTestId('lang-switch').selectOption('zh-CN');
    await desk.getByTestId('ticket-move-l2').click();
    const refusal = desk.getByTestId('ticket-error');
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute('data-code'), 'TICKETS_TRANSITION_REFUSED');
    assert.equal((await refusal.textContent())?.trim(), '暂不能流转到该状态。 请先填写：diagnosis');
    await h.shot(desk, '01-refused-zh');

    await desk.getByTestId('ticket-field-diagnosis').fill('card reader jammed');
    await desk.getByTestId('ticket-move-l2').click();
    await refusal.waitFor({ state: 'detached' });
    await desk.getByTestId('ticket-move-resolved').waitFor();

    const notices = visitor.getByTestId('bl-msg-agent');
    await notices.filter({ hasText: number }).first().waitFor({ timeout: 10_000 });
    assert.match((await notices.filter({ hasText: number }).first().textContent()) ?? '', /二线/);

    // The chat ends while the ticket is still with second line.
    await desk.getByTestId('wrapup-start').click();
    await desk.getByTestId('wrapup-code').selectOption('ticket_created');
    await desk.getByTestId('wrapup-finish').click();
    await desk.locator('[data-testid="conv-closed"][data-code="ticket_created"]').waitFor();

    await desk.getByTestId('ticket-field-resolution').fill('card returned to the customer');
    await desk.getByTestId('ticket-move-resolved').click();
    await desk.getByTestId('ticket-move-resolved').waitFor({ state: 'detached' });
    await h.shot(desk, '02-resolved');

    await notices.filter({ hasText: 'card returned to the customer' }).first().waitFor({ timeout: 10_000 });
    const texts = await notices.allTextContents();
    assert.equal(texts.filter((x) => x.includes(number)).length, 2, texts.join(' | '));
    await h.shot(visitor, '03-widget-notices');

    const contact = await agent.client.request('GET', `/api/contacts/${contactId}`);
    ok(contact, 200);
    assert.equal(contact.json['contact'].state, 'closed');
    const tickets = await agent.client.request('GET', `/api/tickets?contactId=${contactId}`);
    ok(tickets, 200);
    const ticket = (tickets.json['tickets'] as Array<{ number: string; state: string }>)[0];
    assert.deepEqual([ticket?.number, ticket?.state], [number, 'resolved']);
    assert.deepEqual(h.cspErrors, []);
  } catch (err) {
    await h.failureShots({ desk, visitor });
    throw err;
  }
});
