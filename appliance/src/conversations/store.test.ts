import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { MemoryDocStore } from '../storage/index.ts';
import { ConversationStore } from './store.ts';
import type { Message } from './types.ts';

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');

test('addInbound() that loses the dedupe marker to another writer keeps none of its documents', async () => {
  const db = new MemoryDocStore('conv');
  const store = new ConversationStore(db, blind);
  const dedupeKey = store.dedupeKey('webchat', 'v1:c1');
  const id = store.inboundMessageId(dedupeKey);
  assert.equal(
    id,
    store.inboundMessageId(store.dedupeKey('webchat', 'v1:c1')),
    'the id is derived, not random',
  );
  assert.notEqual(id, store.inboundMessageId(store.dedupeKey('webchat', 'v1:c2')));
  const winner = { customerId: 'cu1', conversationId: 'cv1', contactId: 'ct1', messageId: id };
  await db.create({ _id: dedupeKey, ...winner });
  const message: Message = {
    id,
    conversationId: 'cv1',
    contactId: 'ct2',
    channel: 'webchat',
    direction: 'in',
    author: 'cu1',
    text: 'hi',
    attachments: [],
    externalId: 'v1:c1',
    at: '2026-12-07T10:00:00.000Z',
    delivery: 'delivered',
  };
  assert.equal(await store.addInbound(message, 'cu1', { dedupeKey, quarantine: [] }), false);
  assert.deepEqual(await db.list({ prefix: 'm:' }), []);
  assert.equal(await db.get(`mi:${id}`), undefined);
  assert.deepEqual(await store.seen(dedupeKey), winner);
});
