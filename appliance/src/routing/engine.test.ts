import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingEngine } from './engine.ts';
import type {
  AgentProfile,
  AgentState,
  EngineEvent,
  EnqueueOutcome,
  OfferView,
  RoutingConfig,
} from './engine-types.ts';
import { estimateWait, matchTest } from './insight.ts';

const T0 = Date.parse('2025-09-29T02:00:00Z'); // Monday 10:00 in Shanghai

const CONFIG: RoutingConfig = {
  queues: [
    { id: 'billing', name: 'Billing', agentExpression: 'skills.billing >= 1' },
    { id: 'loans', name: 'Loans' },
    { id: 'general', name: 'General' },
  ],
  calendars: [
    {
      id: 'branch',
      name: 'Branch',
      timeZone: 'Asia/Shanghai',
      weekly: { Mon: [['09:00', '17:00']] },
      holidays: [],
    },
  ],
  workflows: [
    {
      id: 'main',
      name: 'Main',
      isDefault: true,
      calendarId: 'branch',
      sticky: { windowSeconds: 24 * 3600, offerSeconds: 15 },
      offerTimeoutSeconds: 20,
      filters: [
        { name: 'vip', expression: 'vipTier >= 2', targets: [{ queue: 'general', priority: 10 }] },
        {
          name: 'billing-zh',
          expression: "intent == 'billing'",
          targets: [{ queue: 'billing', agentExpression: "skills.billing >= 3 && 'zh' in languages" }],
        },
        {
          name: 'loans',
          expression: "intent == 'loan'",
          targets: [
            { queue: 'loans', agentExpression: 'skills.loans >= 4', timeoutSeconds: 30 },
            { queue: 'general', agentExpression: 'skills.loans >= 1' },
          ],
        },
      ],
      defaultTarget: { queue: 'general' },
    },
    {
      id: 'after-hours',
      name: 'After hours',
      calendarId: 'branch',
      whenClosed: 'callback',
      filters: [],
      defaultTarget: { queue: 'general' },
    },
  ],
};

type Step =
  | ['agent', string, Partial<AgentProfile>?]
  | ['state', string, AgentState, string?]
  | [
      'task',
      string,
      Record<string, string | number | boolean>?,
      { channel?: string; customerId?: string; workflowId?: string }?,
    ]
  | ['wait', number]
  | ['accept' | 'reject' | 'complete', string]
  | ['offered', string, string]
  | ['waiting', string]
  | ['agentIs', string, AgentState, string?]
  | ['outcome', string, string]
  | ['queueOf', string, string]
  | ['createdAt', string, number];

function harness(at = T0) {
  const clock = { t: at, now: () => clock.t };
  const events: EngineEvent[] = [];
  const open = new Map<string, OfferView>();
  const outcomes = new Map<string, EnqueueOutcome>();
  const engine = new RoutingEngine({
    clock,
    sink: (e) => {
      events.push(e);
      if (e.type === 'offer_created') open.set(e.task.id, e.offer);
      else if (e.type.startsWith('offer_')) open.delete((e as { task: { id: string } }).task.id);
    },
  });
  engine.configure(CONFIG);
  const run = (steps: Step[]) => {
    for (const s of steps) {
      switch (s[0]) {
        case 'agent':
          engine.upsertAgent({
            userId: s[1],
            skills: {},
            languages: ['zh'],
            capacity: { voice: 1, webchat: 3, email: 5 },
            totalCapacity: 3,
            ...s[2],
          });
          break;
        case 'state':
          engine.setAgentState(s[1], s[2], s[3]);
          break;
        case 'task':
          outcomes.set(
            s[1],
            engine.enqueue({
              id: s[1],
              channel: s[3]?.channel ?? 'voice',
              attributes: s[2] ?? {},
              ...(s[3]?.customerId ? { customerId: s[3].customerId } : {}),
              ...(s[3]?.workflowId ? { workflowId: s[3].workflowId } : {}),
            }),
          );
          break;
        case 'wait':
          clock.t += s[1] * 1000;
          engine.tick();
          break;
        case 'accept':
        case 'reject': {
          const o = open.get(s[1]);
          assert.ok(o, `no open offer for ${s[1]}`);
          engine[s[0]](o.id, o.agentId);
          break;
        }
        case 'complete':
          engine.complete(s[1]);
          break;
        case 'offered':
          assert.equal(open.get(s[1])?.agentId, s[2], `${s[1]} should be offered to ${s[2]}`);
          break;
        case 'waiting':
          assert.equal(open.get(s[1]), undefined, `${s[1]} should have no offer`);
          assert.equal(engine.task(s[1])?.status, 'waiting');
          break;
        case 'agentIs': {
          const a = engine.agent(s[1]);
          assert.equal(a?.state, s[2]);
          assert.equal(a?.reason, s[3]);
          break;
        }
        case 'outcome': {
          const o = outcomes.get(s[1]);
          assert.equal(o?.status === 'rejected' ? `rejected:${o.reason}` : o?.status, s[2]);
          break;
        }
        case 'queueOf':
          assert.equal(engine.task(s[1])?.queueId, s[2]);
          break;
        case 'createdAt':
          assert.equal(engine.task(s[1])?.createdAt, at + s[2] * 1000);
          break;
      }
    }
  };
  return { engine, clock, events, open, run };
}

const scenarios: Array<[string, Step[]]> = [
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
    'sticky agent within its window: the agent who served the customer gets the first offer over a longer-idle one',
    [
      ['agent', 'idle'],
      ['agent', 'last'],
      ['state', 'idle', 'available'],
      ['state', 'last', 'available'],
      ['task', 'first', {}, { customerId: 'c1', channel: 'email' }],
      ['offered', 'first', 'idle'],
      ['reject', 'first'],
      ['offered', 'first', 'last'],
      ['accept', 'first'],
      ['wait', 60],
      ['complete', 'first'],
      ['wait', 3600],
      ['task', 'again', {}, { customerId: 'c1', channel: 'email' }],
      ['offered', 'again', 'last'],
    ],
  ],
  [
    'sticky hold lasts offerSeconds: while the sticky agent is busy the task waits, then goes to another agent',
    [
      ['agent', 'other'],
      ['agent', 'last'],
      ['state', 'last', 'available'],
      ['task', 'first', {}, { customerId: 'c2' }],
      ['accept', 'first'],
      ['complete', 'first'],
      ['task', 'busy'],
      ['accept', 'busy'],
      ['state', 'other', 'available'],
      ['task', 'again', {}, { customerId: 'c2' }],
      ['waiting', 'again'],
      ['wait', 14],
      ['waiting', 'again'],
      ['wait', 1],
      ['offered', 'again', 'other'],
    ],
  ],
  [
    'sticky window expiry: after 24 h the last agent has no claim and longest-idle wins',
    [
      ['agent', 'last'],
      ['agent', 'idle'],
      ['state', 'last', 'available'],
      ['task', 'first', {}, { customerId: 'c3' }],
      ['accept', 'first'],
      ['complete', 'first'],
      ['state', 'idle', 'available'],
      ['wait', 25 * 3600],
      ['state', 'last', 'not_ready', 'break'],
      ['state', 'last', 'available'],
      ['task', 'late', {}, { customerId: 'c3', workflowId: 'after-hours' }],
      ['offered', 'late', 'idle'],
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
    'RONA: an unanswered offer puts the agent not-ready (rona) and requeues the task at its original age',
    [
      ['agent', 'slow'],
      ['agent', 'next'],
      ['state', 'slow', 'available'],
      ['task', 'old'],
      ['offered', 'old', 'slow'],
      ['wait', 5],
      ['task', 'young'],
      ['wait', 15],
      ['agentIs', 'slow', 'not_ready', 'rona'],
      ['waiting', 'old'],
      ['createdAt', 'old', 0],
      ['state', 'next', 'available'],
      ['offered', 'old', 'next'],
      ['waiting', 'young'],
    ],
  ],
  [
    'a rejected offer goes to the next agent and never back to the one who rejected it',
    [
      ['agent', 'a'],
      ['agent', 'b'],
      ['state', 'a', 'available'],
      ['state', 'b', 'available'],
      ['task', 't', {}, { channel: 'email' }],
      ['offered', 't', 'a'],
      ['reject', 't'],
      ['offered', 't', 'b'],
      ['reject', 't'],
      ['waiting', 't'],
    ],
  ],
  [
    'business-hours closure: outside hours the default workflow rejects with reason closed',
    [
      ['agent', 'a'],
      ['state', 'a', 'available'],
      ['wait', 8 * 3600],
      ['task', 'night'],
      ['outcome', 'night', 'rejected:closed'],
    ],
  ],
  [
    'business-hours closure with a callback workflow: the task is kept as a callback',
    [
      ['wait', 8 * 3600],
      ['task', 'night', {}, { workflowId: 'after-hours' }],
      ['outcome', 'night', 'queued'],
      ['waiting', 'night'],
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
];

for (const [name, steps] of scenarios) {
  test(name, () => harness().run(steps));
}

test('the callback task keeps its place in the queue and is marked callback', () => {
  const h = harness();
  h.run([
    ['task', 'first'],
    ['wait', 5],
    ['task', 'second'],
    ['wait', 5],
    ['task', 'third'],
  ]);
  const view = h.engine.requestCallback('first');
  assert.ok(view.callback);
  assert.equal(estimateWait(h.engine, 'first').position, 1);
  assert.equal(estimateWait(h.engine, 'third').position, 3);
  h.run([
    ['agent', 'a'],
    ['state', 'a', 'available'],
    ['offered', 'first', 'a'],
  ]);
});

test('estimated wait time is AHT × position / staffed slots', () => {
  const h = harness();
  h.run([
    ['agent', 'a', { capacity: { email: 2 }, totalCapacity: 2 }],
    ['state', 'a', 'available'],
    ['task', 'e1', {}, { channel: 'email' }],
    ['accept', 'e1'],
    ['wait', 100],
    ['complete', 'e1'],
    ['task', 'e2', {}, { channel: 'email' }],
    ['task', 'e3', {}, { channel: 'email' }],
    ['accept', 'e2'],
    ['accept', 'e3'],
    ['task', 'e4', {}, { channel: 'email' }],
    ['task', 'e5', {}, { channel: 'email' }],
  ]);
  const w = estimateWait(h.engine, 'e5');
  assert.equal(w.position, 2);
  assert.equal(w.averageHandleSeconds, 100);
  assert.equal(w.staffedSlots, 2);
  assert.equal(w.ewtSeconds, 100);
  h.run([['state', 'a', 'not_ready', 'lunch']]);
  assert.equal(estimateWait(h.engine, 'e5').ewtSeconds, null);
});

test('matchTest lists the matching agents first and says why the others fail', () => {
  const h = harness();
  h.run([
    ['agent', 'fit', { skills: { billing: 4 } }],
    ['agent', 'low', { skills: { billing: 2 } }],
    ['agent', 'none'],
  ]);
  const r = matchTest(h.engine, { attributes: { intent: 'billing' }, channel: 'voice' });
  assert.equal(r.filter, 'billing-zh');
  const rows = r.targets[0]?.agents ?? [];
  assert.deepEqual(
    rows.map((x) => [x.userId, x.matches]),
    [
      ['fit', true],
      ['low', false],
      ['none', false],
    ],
  );
  assert.match(rows[1]?.why ?? '', /fails 'skills.billing >= 3 && 'zh' in languages' \(skills.billing=2/);
  assert.match(rows[2]?.why ?? '', /not in queue 'billing'/);
});

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

test('going offline cancels open offers and requeues them to another agent', () => {
  const h = harness();
  h.run([
    ['agent', 'a'],
    ['agent', 'b'],
    ['state', 'a', 'available'],
    ['task', 't'],
    ['offered', 't', 'a'],
  ]);
  h.run([
    ['state', 'b', 'available'],
    ['state', 'a', 'offline'],
    ['offered', 't', 'b'],
  ]);
  assert.ok(h.events.some((e) => e.type === 'offer_cancelled'));
});
