import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { EncryptedDocStore, MemoryDocStore, openCrypto, openPouchStore } from '../storage/index.ts';
import { removeCallPlaceholders } from './call-placeholders.ts';
import { ConversationService } from './service.ts';
import { CONVERSATION_SEALED_FIELDS, ConversationStore, conversationKeyIdFor } from './store.ts';
import type { InboundMessage } from './types.ts';

const at = new Date('2026-12-01T09:00:00Z');
const call = (id: string, text: string, over: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'voice',
  handles: [{ kind: 'phone', value: '+8613800138000' }],
  externalId: `call:${id}`,
  threadKey: `call:${id}`,
  text,
  receivedAt: at,
  meta: { callId: id },
  ...over,
});

test('removeCallPlaceholders() removes exactly the stored "Voice call queued to" call lines, once, and audits the count as system', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-placeholders-'));
  const crypto = await openCrypto(dir);
  const db = new EncryptedDocStore(await openPouchStore(join(dir, 'db'), 'conversations'), {
    crypto,
    fields: [...CONVERSATION_SEALED_FIELDS],
    keyIdFor: conversationKeyIdFor,
  });
  try {
    const bus = new EventBus();
    const audited: Array<{ type: string; actor: string; data: unknown }> = [];
    bus.subscribe('conversation.call_placeholders_removed', (e) => {
      audited.push({ type: e.type, actor: e.actor, data: e.data });
    });
    const customers = new CustomerService(new MemoryDocStore('customers'), {
      index: { blindIndex: (k, v) => crypto.blindIndex(k, v) },
      bus,
      auditRead: async () => undefined,
    });
    const store = new ConversationStore(db, (k, v) => crypto.blindIndex(k, v));
    const conversations = new ConversationService(store, { customers, bus });
    // What voice stored before issue 14, for two calls of two customers.
    const p1 = await conversations.ingest(call('c1', 'Voice call queued to sales'));
    const p2 = await conversations.ingest(
      call('c2', 'Voice call queued to default', { handles: [{ kind: 'web_visitor', value: 'call-c2' }] }),
    );
    // What must stay: a real voice line on the same call, a customer who typed the phrase, a reply.
    const said = await conversations.ingest(
      call('c1', 'I want to cancel my order', { externalId: 'call:c1:asr:1' }),
    );
    const typed = await conversations.ingest({
      channel: 'webchat',
      handles: [{ kind: 'web_visitor', value: 'v9' }],
      externalId: 'v9:1',
      threadKey: 'v9',
      text: 'Voice call queued to sales',
      receivedAt: at,
    });
    await conversations.note(p1.contactId, 'Voice call queued to sales', 'u1');

    assert.equal(await removeCallPlaceholders(store, bus), 2);
    const left = [
      ...(await conversations.messagesOf(p1.conversationId)),
      ...(await conversations.messagesOf(p2.conversationId)),
      ...(await conversations.messagesOf(typed.conversationId)),
    ];
    const ids = left.map((m) => m.id);
    assert.ok(!ids.includes(p1.messageId) && !ids.includes(p2.messageId), 'placeholders removed');
    assert.ok(ids.includes(said.messageId) && ids.includes(typed.messageId), 'real text kept');
    assert.equal(left.length, 3, 'the transcript line, the typed chat line and the note');
    assert.equal(await conversations.getMessage(p1.messageId), undefined);
    // The contacts themselves stay (they are the calls).
    assert.equal((await conversations.getContact(p2.contactId)).channel, 'voice');
    assert.deepEqual(audited, [
      {
        type: 'conversation.call_placeholders_removed',
        actor: 'system',
        data: { count: 2, contacts: 2 },
      },
    ]);

    // A second start finds the marker: nothing removed, nothing audited again.
    await conversations.ingest(call('c3', 'Voice call queued to sales'));
    assert.equal(await removeCallPlaceholders(store, bus), 0);
    assert.equal(audited.length, 1);
  } finally {
    await db.close();
    crypto.close();
    await rm(dir, { recursive: true, force: true });
  }
});
