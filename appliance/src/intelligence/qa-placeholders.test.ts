import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { ConversationService, ConversationStore } from '../conversations/index.ts';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { IntelligenceService } from './service.ts';
import { IntelligenceStore } from './store.ts';

const blind = (kind: string, value: string) =>
  createHmac('sha256', 'k').update(`${kind}:${value}`).digest('base64url');

test('a call contact with no text is not scored, and dropUntranscribedQa() drops once the QA results scored from the old call line', async () => {
  const bus = new EventBus();
  const audited: Array<{ type: string; actor: string; data: unknown }> = [];
  bus.subscribe('intelligence.qa_results_dropped', (e) => {
    audited.push({ type: e.type, actor: e.actor, data: e.data });
  });
  const customers = new CustomerService(new MemoryDocStore('customers'), {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
  });
  const convStore = new ConversationStore(new MemoryDocStore('conv'), blind);
  const conversations = new ConversationService(convStore, {
    customers,
    bus,
  });
  const store = new IntelligenceStore(new MemoryDocStore('intel'));
  const intel = new IntelligenceService(store, { bus, conversations });
  const handles = (n: string) => [{ kind: 'phone' as const, value: n }];
  const base = (id: string) => ({
    channel: 'voice' as const,
    externalId: `call:${id}`,
    threadKey: `call:${id}`,
    receivedAt: new Date(),
  });
  const closedBy = async (contactId: string) => {
    await conversations.transition(contactId, 'offered', { agentId: 'a1' });
    await conversations.transition(contactId, 'active', { agentId: 'a1' });
    await conversations.transition(contactId, 'wrap_up');
    return conversations.transition(contactId, 'closed');
  };

  // Today: a call opens its contact with no message, and QA says so instead of scoring.
  const now = await conversations.openContact({ ...base('c0'), handles: handles('+8613900000010') });
  const c0 = await closedBy(now.contactId);
  const r0 = await intel.scoreContact(c0, await conversations.messagesOf(c0.conversationId));
  assert.equal(r0.status, 'not_scored');
  assert.equal(r0.reason, 'no_transcript');
  assert.equal(r0.score, undefined);
  assert.deepEqual(await intel.report(), [], 'an unscored call adds no row to the average');

  // Before: the placeholder was scored (about 65 whatever was said); a second call also has real text.
  const old = await conversations.ingest({
    ...base('c1'),
    handles: handles('+8613900000011'),
    text: 'Voice call queued to sales',
  });
  const c1 = await closedBy(old.contactId);
  assert.equal(
    typeof (await intel.scoreContact(c1, await conversations.messagesOf(c1.conversationId))).score,
    'number',
  );
  const spoken = await conversations.ingest({
    ...base('c2'),
    handles: handles('+8613900000012'),
    text: 'I want to cancel my order',
  });
  const c2 = await closedBy(spoken.contactId);
  await intel.scoreContact(c2, await conversations.messagesOf(c2.conversationId));
  // The conversations migration has removed the placeholder by the time intelligence starts.
  for (const m of await convStore.allMessages()) if (m.id === old.messageId) await convStore.removeMessage(m);
  assert.equal(await conversations.getMessage(old.messageId), undefined);

  assert.deepEqual(await intel.dropUntranscribedQa(), { dropped: 1, rescored: 1 });
  await assert.rejects(intel.qa(c1.id), /No QA result/);
  assert.equal(typeof (await intel.qa(c2.id)).score, 'number', 'a call with text keeps a score');
  assert.equal((await intel.qa(c0.id)).status, 'not_scored', 'not-scored results are left alone');
  assert.deepEqual(audited, [
    { type: 'intelligence.qa_results_dropped', actor: 'system', data: { dropped: 1, rescored: 1 } },
  ]);
  assert.deepEqual(await intel.dropUntranscribedQa(), { dropped: 0, rescored: 0 }, 'runs once');
  assert.equal(audited.length, 1);
});
