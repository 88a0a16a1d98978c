import { test } from 'node:test';
import { CONFIG, harness, scenarioTests } from './test-harness.ts';

scenarioTests([
  [
    'skills match: a billing task goes only to an agent with billing ≥ 3 who speaks zh',
    [
      ['agent', 'low', { skills: { billing: 2 } }],
      ['agent', 'en', { skills: { billing: 4 }, languages: ['en'] }],
      ['agent', 'fit', { skills: { billing: 4 } }],
      ['state', 'low', 'available'],
      ['state', 'en', 'available'],
      ['wait', 1],
      ['state', 'fit', 'available'],
      ['task', 't1', { intent: 'billing' }],
      ['offered', 't1', 'fit'],
    ],
  ],
  [
    'VIP jumps the queue: a later VIP task is offered before an older normal one',
    [
      ['agent', 'a'],
      ['state', 'a', 'available'],
      ['task', 'busy'],
      ['accept', 'busy'],
      ['task', 'normal'],
      ['wait', 10],
      ['task', 'vip', { vipTier: 2 }],
      ['complete', 'busy'],
      ['offered', 'vip', 'a'],
      ['waiting', 'normal'],
    ],
  ],
  [
    'relax after timeout: a loans task waits 30 s for an expert, then goes to a generalist',
    [
      ['agent', 'gen', { skills: { loans: 2 } }],
      ['state', 'gen', 'available'],
      ['task', 'loan', { intent: 'loan' }],
      ['queueOf', 'loan', 'loans'],
      ['wait', 29],
      ['waiting', 'loan'],
      ['wait', 1],
      ['queueOf', 'loan', 'general'],
      ['offered', 'loan', 'gen'],
    ],
  ],
  [
    'per-channel capacity: 3 chats at once, a 4th waits, and a call waits while the total cap is full',
    [
      ['agent', 'a'],
      ['state', 'a', 'available'],
      ['task', 'c1', {}, { channel: 'webchat' }],
      ['task', 'c2', {}, { channel: 'webchat' }],
      ['task', 'c3', {}, { channel: 'webchat' }],
      ['task', 'c4', {}, { channel: 'webchat' }],
      ['offered', 'c1', 'a'],
      ['offered', 'c2', 'a'],
      ['offered', 'c3', 'a'],
      ['waiting', 'c4'],
      ['task', 'call', {}, { channel: 'voice' }],
      ['waiting', 'call'],
      ['accept', 'c1'],
      ['complete', 'c1'],
      ['offered', 'c4', 'a'],
      ['waiting', 'call'],
      ['accept', 'c2'],
      ['complete', 'c2'],
      ['offered', 'call', 'a'],
    ],
  ],
  [
    'longest-idle tie-break: of two free agents the one idle longer gets the offer',
    [
      ['agent', 'recent'],
      ['agent', 'longest'],
      ['state', 'longest', 'available'],
      ['wait', 30],
      ['state', 'recent', 'available'],
      ['task', 't'],
      ['offered', 't', 'longest'],
    ],
  ],
]);

test('an agent expression over task attributes routes by the task value', () => {
  const h = harness();
  h.engine.configure({
    ...CONFIG,
    workflows: [
      {
        id: 'lang',
        name: 'Lang',
        filters: [],
        defaultTarget: { queue: 'general', agentExpression: 'task.language in languages' },
      },
    ],
  });
  h.run([
    ['agent', 'zh', { languages: ['zh'] }],
    ['agent', 'en', { languages: ['en'] }],
    ['state', 'zh', 'available'],
    ['state', 'en', 'available'],
    ['task', 'x', { language: 'en' }],
    ['offered', 'x', 'en'],
  ]);
});
