// Outside business hours the widget still takes the message, and it becomes a ticket.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, WidgetSession } from '../web/src/widget/protocol.ts';
import { startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';

let cleanup: (() => Promise<void>) | undefined;
after(() => cleanup?.());

test('a web chat message left while the branch is closed becomes a ticket linked to the conversation', async () => {
  const tmp = await tempDataDir('bl-offline-');
  const app = await startAppliance(tmp.dir);
  cleanup = async () => {
    await app.stop();
    await tmp.cleanup();
  };
  const { admin } = await bootstrapAdmin(app);
  // Routing's calendar decides (the widget has no hours of its own): a holiday around today closes the branch.
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
  const closed = await admin.request('PUT', '/api/routing/calendars/business-hours', {
    name: 'Business hours',
    timeZone: 'Asia/Shanghai',
    weekly: {},
    holidays: [day(-1), day(0), day(1)],
  });
  assert.ok(closed.status < 300, JSON.stringify(closed.json));
  const session = new WidgetSession({
    url: `${app.base.replace('http', 'ws')}/widget/ws`,
    token: randomId(24),
    connect: (url) => new WebSocket(url) as unknown as SocketLike,
    onMessage: () => {},
    backoff: () => 10,
  });
  session.start();
  try {
    for (let i = 0; i < 300 && !session.connected; i++) await new Promise((r) => setTimeout(r, 20));
    session.send('My card was swallowed by the ATM last night');
    type TicketRow = { tags: string[]; links: { contactIds: string[] }; state: string };
    let ticket: TicketRow | undefined;
    for (let i = 0; i < 200 && !ticket; i++) {
      const r = await admin.request('GET', '/api/tickets');
      ticket = (r.json['tickets'] as TicketRow[]).find((t) => t.tags.includes('offline'));
      if (!ticket) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ticket, 'a ticket was opened for the offline message');
    assert.equal(ticket.links.contactIds.length, 1);
    const contact = await admin.request('GET', `/api/contacts/${ticket.links.contactIds[0]}`);
    assert.equal(contact.status, 200);
    assert.equal(contact.json['contact']?.attributes?.offline ?? contact.json['attributes']?.offline, true);
  } finally {
    session.close?.();
  }
});
