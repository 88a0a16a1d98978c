import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingEngine } from './engine.ts';
import type { EngineEvent, RoutingConfig } from './engine-types.ts';
import { CONFIG, harness, T0 } from './test-harness.ts';

const clock = { now: () => T0 };
const agent = { skills: {}, languages: [], capacity: { webchat: 3 }, totalCapacity: 3 };

test('enqueue() with no workflow configured sends the task to the general queue, flagged unroutable, and an available agent gets it', () => {
  const events: EngineEvent[] = [];
  const engine = new RoutingEngine({ clock, sink: (e) => events.push(e) });
  engine.configure({ queues: [], workflows: [], calendars: [] });
  engine.upsertAgent({ userId: 'a', ...agent });
  engine.setAgentState('a', 'available');
  const out = engine.enqueue({ id: 't1', channel: 'webchat', attributes: {}, contactId: 't1' });
  assert.equal(out.status, 'queued');
  const flagged = events.find((e) => e.type === 'task_unroutable');
  assert.ok(flagged && flagged.type === 'task_unroutable');
  assert.equal(flagged.reason, 'no_workflow');
  assert.equal(flagged.task.queueId, 'general');
  assert.ok(events.some((e) => e.type === 'offer_created' && e.offer.agentId === 'a'));
});

test('enqueue() that matches no filter and no default target falls back to the configured general queue with its agent expression', () => {
  const config: RoutingConfig = {
    ...CONFIG,
    queues: [
      ...CONFIG.queues.filter((q) => q.id !== 'general'),
      { id: 'general', name: 'General', agentExpression: "'en' in languages" },
    ],
    workflows: [
      {
        id: 'voice-only',
        name: 'Voice only',
        isDefault: true,
        filters: [{ name: 'v', expression: "channel == 'voice'", targets: [{ queue: 'loans' }] }],
      },
    ],
  };
  const events: EngineEvent[] = [];
  const engine = new RoutingEngine({ clock, sink: (e) => events.push(e) });
  engine.configure(config);
  engine.upsertAgent({ userId: 'zh-only', ...agent, languages: ['zh'] });
  engine.setAgentState('zh-only', 'available');
  const out = engine.enqueue({ id: 'chat', channel: 'webchat', attributes: {} });
  assert.equal(out.status === 'queued' && out.task.queueId, 'general');
  assert.ok(events.some((e) => e.type === 'task_unroutable' && e.reason === 'no_route'));
  assert.ok(!events.some((e) => e.type === 'offer_created'), 'the queue still decides who staffs it');
  engine.upsertAgent({ userId: 'en', ...agent, languages: ['en'] });
  engine.setAgentState('en', 'available');
  assert.ok(events.some((e) => e.type === 'offer_created' && e.offer.agentId === 'en'));
});

test('a reconfiguration that leaves a waiting task without a route moves it to the fallback queue instead of dropping it', () => {
  const h = harness();
  h.run([['task', 'loan', { intent: 'loan' }]]);
  assert.equal(h.engine.task('loan')?.queueId, 'loans');
  h.engine.configure({ ...CONFIG, workflows: [{ id: 'main', name: 'Main', filters: [] }] });
  assert.equal(h.engine.task('loan')?.queueId, 'general');
  assert.ok(h.events.some((e) => e.type === 'task_unroutable' && e.task.id === 'loan'));
  assert.ok(!h.events.some((e) => e.type === 'task_removed'));
});

test('enqueue() naming a workflow that does not exist is ROUTING_NOT_FOUND, not a silent fallback', () => {
  const h = harness();
  assert.throws(
    () => h.engine.enqueue({ id: 'x', channel: 'voice', attributes: {}, workflowId: 'nope' }),
    (e: unknown) => (e as { code?: string }).code === 'ROUTING_NOT_FOUND',
  );
});

test('isOpenNow() follows the default workflow calendar, and is open when the default workflow has none', () => {
  const h = harness();
  assert.equal(h.engine.isOpenNow(), true);
  assert.equal(h.engine.isOpenNow(T0 + 8 * 3600_000), false);
  h.engine.configure({
    ...CONFIG,
    workflows: [{ id: 'w', name: 'W', filters: [], defaultTarget: { queue: 'general' } }],
  });
  assert.equal(h.engine.isOpenNow(T0 + 8 * 3600_000), true);
});
