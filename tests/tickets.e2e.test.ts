// Tickets against the real appliance process: guards over HTTP, coded refusals,
// permissions, and the default workflow from creation to resolution.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';

let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;
let agent: ApiClient;

before(async () => {
  const tmp = await tempDataDir('bl-tickets-');
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
  agent = (await createSignedInUser(admin, 'ticket.agent', ['agent'], 'agent password tickets 1')).client;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

test('a ticket goes new → L1, is refused L2 without a diagnosis (422 with code), then reaches L2 and resolved', async () => {
  const created = await agent.request('POST', '/api/tickets', {
    subject: 'Card swallowed by ATM',
    description: 'Customer Wang at branch 3',
    priority: 'high',
    contactIds: ['contact-1'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id as string;
  assert.match(created.json.number, /^BR-\d{6}$/);
  for (const to of ['open', 'l1']) {
    const r = await agent.request('POST', `/api/tickets/${id}/transitions`, { to });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
  const refused = await agent.request('POST', `/api/tickets/${id}/transitions`, { to: 'l2' });
  assert.equal(refused.status, 422);
  assert.equal(refused.json.error.code, 'TICKETS_TRANSITION_REFUSED');
  assert.deepEqual(refused.json.error.details.missingFields, ['diagnosis']);
  const l2 = await agent.request('POST', `/api/tickets/${id}/transitions`, {
    to: 'l2',
    fields: { diagnosis: 'card reader jammed' },
  });
  assert.equal(l2.status, 200);
  assert.equal(l2.json.state, 'l2');
  const resolved = await agent.request('POST', `/api/tickets/${id}/transitions`, {
    to: 'resolved',
    fields: { resolution: 'card returned' },
  });
  assert.equal(resolved.status, 200);
  const view = await agent.request('GET', `/api/tickets/${id}`);
  assert.equal(view.status, 200);
  assert.equal(view.json.ticket.state, 'resolved');
  assert.equal(view.json.ticket.description, 'Customer Wang at branch 3');
  assert.deepEqual(
    view.json.history
      .filter((h: { action: string }) => h.action === 'transitioned')
      .map((h: { changes: { state: { to: string } } }) => h.changes.state.to),
    ['open', 'l1', 'l2', 'resolved'],
  );
});

test('unknown body fields get 400, agents cannot publish workflows (403), and a bad workflow names its state', async () => {
  const bad = await agent.request('POST', '/api/tickets', { subject: 's', description: 'd', owner: 'x' });
  assert.equal(bad.status, 400);
  const wf = {
    id: 'broken',
    name: 'Broken',
    initial: 'new',
    states: [
      { id: 'new', category: 'new' },
      { id: 'closed', category: 'closed' },
    ],
    transitions: [{ from: 'new', to: 'l9' }],
  };
  assert.equal((await agent.request('POST', '/api/ticket-workflows', wf)).status, 403);
  const r = await admin.request('POST', '/api/ticket-workflows', wf);
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'TICKETS_INVALID_WORKFLOW');
  assert.equal(r.json.error.details.state, 'l9');
});

test('an attachment round-trips over HTTP and an oversized one is refused with 413', async () => {
  const created = await agent.request('POST', '/api/tickets', { subject: 'with file', description: 'x' });
  const id = created.json.id as string;
  const up = await agent.request('POST', `/api/tickets/${id}/attachments`, {
    name: '回单.txt',
    mime: 'text/plain',
    dataBase64: Buffer.from('receipt 42').toString('base64'),
  });
  assert.equal(up.status, 201, JSON.stringify(up.json));
  const down = await fetch(`${app.base}/api/tickets/${id}/attachments/${up.json.id}`, {
    headers: { cookie: agent.cookie },
  });
  assert.equal(down.status, 200);
  assert.equal(await down.text(), 'receipt 42');
  const big = await agent.request('POST', `/api/tickets/${id}/attachments`, {
    name: 'big.bin',
    mime: 'application/octet-stream',
    dataBase64: Buffer.alloc(600 * 1024).toString('base64'),
  });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'TICKETS_ATTACHMENT_TOO_LARGE');
});
