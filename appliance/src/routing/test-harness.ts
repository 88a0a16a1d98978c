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

// Shared by the engine-*.test.ts files: one configuration and a step runner,
// so each scenario reads as a script of agent and task moves with checks.
export const T0 = Date.parse('2025-09-29T02:00:00Z'); // Monday 10:00 in Shanghai

export const CONFIG: RoutingConfig = {
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

export type Step =
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

export function harness(at = T0) {
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

/** One test per scenario, named by its sentence. */
export function scenarioTests(scenarios: Array<[string, Step[]]>): void {
  for (const [name, steps] of scenarios) {
    test(name, () => harness().run(steps));
  }
}
