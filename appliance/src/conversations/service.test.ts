import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { ConversationService } from './service.ts';
import { ConversationStore } from './store.ts';
import type { InboundMessage } from './types.ts';

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');

function setup() {
  const bus = new EventBus();
  const events: string[] = [];
  bus.subscribe('*', (e) => void events.push(e.type));
  const customers = new CustomerService(new MemoryDocStore('customers'), {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  const conversations = new ConversationService(new ConversationStore(new MemoryDocStore('conv'), blind), {
    customers,
    bus,
  });
  return { bus, events, customers, conversations };
}

const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'email',
  handles: [{ kind: 'email', value: 'li@example.cn' }],
  externalId: '<a@x>',
  threadKey: '<a@x>',
  text: 'hello',
  receivedAt: new Date('2025-01-01T00:00:00Z'),
  ...over,
});

describe('ConversationService', () => {
  test('ingest() stores a repeated externalId once and returns the same ids with duplicate:true', async () => {
    const { conversations } = setup();
    const a = await conversations.ingest(msg());
    const b = await conversations.ingest(msg({ text: 'changed' }));
    assert.equal(a.duplicate, false);
    assert.deepEqual(b, { ...a, duplicate: true });
    assert.equal((await conversations.messagesOf(a.conversationId)).length, 1);
  });

  test('ingest() opens a new contact on a thread once the previous contact is closed', async () => {
    const { conversations } = setup();
    const a = await conversations.ingest(msg());
    await conversations.transition(a.contactId, 'active', { agentId: 'u1' });
    await conversations.transition(a.contactId, 'closed');
    const b = await conversations.ingest(msg({ externalId: '<b@x>' }));
    assert.notEqual(b.contactId, a.contactId);
    assert.equal(b.conversationId, a.conversationId);
  });

  test('transition() rejects an illegal move with CONVERSATIONS_INVALID_TRANSITION and keeps queuedAt across a requeue', async () => {
    const { conversations, events } = setup();
    const a = await conversations.ingest(msg());
    await assert.rejects(conversations.transition(a.contactId, 'wrap_up'), {
      code: 'CONVERSATIONS_INVALID_TRANSITION',
      status: 409,
    });
    const queuedAt = (await conversations.getContact(a.contactId)).timeline.queued;
    await conversations.transition(a.contactId, 'offered', { agentId: 'u1' });
    const back = await conversations.transition(a.contactId, 'queued');
    assert.equal(back.timeline.queued, queuedAt);
    assert.equal(back.agentId, undefined);
    assert.deepEqual(
      events.filter((e) => e.startsWith('contact.')),
      ['contact.queued', 'contact.offered', 'contact.queued'],
    );
  });

  test('ingest() refuses an attachment whose bytes do not match its declared type', async () => {
    const { conversations } = setup();
    const fake = { name: 'x.png', mime: 'image/png', data: new TextEncoder().encode('MZ not a png') };
    await assert.rejects(conversations.ingest(msg({ attachments: [fake] })), {
      code: 'CONVERSATIONS_ATTACHMENT_TYPE',
    });
    const big = { name: 'x.pdf', mime: 'application/pdf', data: new Uint8Array(10 * 1024 * 1024 + 1) };
    await assert.rejects(conversations.ingest(msg({ attachments: [big] })), {
      code: 'CONVERSATIONS_ATTACHMENT_TOO_LARGE',
    });
  });

  test('reply() sends through the channel sender and marks a failed send failed', async () => {
    const { conversations } = setup();
    const sent: string[] = [];
    let fail = false;
    conversations.registerSender({
      channel: 'email',
      async send({ message, to }) {
        if (fail) throw new Error('relay down');
        sent.push(`${to[0]?.value}:${message.text}`);
        return { externalId: '<r@x>' };
      },
    });
    const a = await conversations.ingest(msg());
    await conversations.transition(a.contactId, 'active', { agentId: 'u1' });
    const ok = await conversations.reply(a.contactId, { text: 'hi back' }, 'u1');
    fail = true;
    const bad = await conversations.reply(a.contactId, { text: 'again' }, 'u1');
    assert.deepEqual(sent, ['li@example.cn:hi back']);
    assert.equal(ok.delivery, 'sent');
    assert.equal(bad.delivery, 'failed');
  });

  test('followUp() reaches the customer on a closed contact where reply() is refused with CONVERSATIONS_INVALID_STATE', async () => {
    const { conversations } = setup();
    const sent: string[] = [];
    conversations.registerSender({
      channel: 'email',
      async send({ message }) {
        sent.push(message.text);
        return {};
      },
    });
    const a = await conversations.ingest(msg());
    await conversations.transition(a.contactId, 'active', { agentId: 'u1' });
    await conversations.transition(a.contactId, 'closed', { wrapUpCode: 'resolved' });
    await assert.rejects(conversations.reply(a.contactId, { text: 'late' }, 'u1'), {
      code: 'CONVERSATIONS_INVALID_STATE',
    });
    const m = await conversations.followUp(a.contactId, { text: 'your ticket is resolved' }, 'u1');
    assert.equal(m.delivery, 'sent');
    assert.deepEqual(sent, ['your ticket is resolved']);
    const stored = await conversations.messagesOf(a.conversationId);
    assert.equal(stored.at(-1)?.text, 'your ticket is resolved');
    assert.equal((await conversations.getContact(a.contactId)).state, 'closed');
  });
});

describe('CustomerService handles and merges', () => {
  test('resolve() links the same phone to one customer but an unverified email only to a new customer', async () => {
    const { customers } = setup();
    const actor = { userId: 'channel:test' };
    const a = await customers.resolve(
      [
        { kind: 'phone', value: '+86 139 1234 5678' },
        { kind: 'email', value: 'a@x.cn' },
      ],
      {
        actor,
      },
    );
    const b = await customers.resolve([{ kind: 'phone', value: '+8613912345678' }], { actor });
    const c = await customers.resolve([{ kind: 'email', value: 'A@x.cn' }], { actor });
    const d = await customers.resolve([{ kind: 'email', value: 'a@x.cn', verified: true }], { actor });
    assert.equal(b.customerId, a.customerId);
    assert.notEqual(c.customerId, a.customerId);
    assert.equal(d.customerId, a.customerId);
  });

  test('merge() moves handles to the target and unmerge() moves exactly those back', async () => {
    const { customers, events } = setup();
    const actor = { userId: 'u1' };
    const src = await customers.resolve([{ kind: 'wecom_external', value: 'wmX' }], { actor });
    const dst = await customers.resolve([{ kind: 'phone', value: '+8613800000001' }], { actor });
    const { mergeId } = await customers.merge(src.customerId, dst.customerId, actor);
    assert.equal(await customers.lookup({ kind: 'wecom_external', value: 'wmX' }), dst.customerId);
    assert.deepEqual(await customers.mergedFrom(dst.customerId), [src.customerId]);
    await customers.unmerge(mergeId, actor);
    assert.equal(await customers.lookup({ kind: 'wecom_external', value: 'wmX' }), src.customerId);
    assert.equal(await customers.lookup({ kind: 'phone', value: '+8613800000001' }), dst.customerId);
    assert.deepEqual(await customers.mergedFrom(dst.customerId), []);
    assert.ok(events.includes('customer.merged') && events.includes('customer.unmerged'));
  });
});
