import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { DEFAULT_INBOUND_FLOW, FlowService } from '../flows/index.ts';
import { createApp } from '../http/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { testPrincipal } from '../test-principal.ts';
import { routingAdminRoutes } from './routes-admin.ts';
import { RoutingService } from './service.ts';

const supervisor = testPrincipal('sup', ['routing.manage']);

async function setup() {
  const bus = new EventBus();
  const routing = new RoutingService(new MemoryDocStore('routing'), { bus });
  await routing.load();
  await routing.seedDefaults({ timeZone: 'Asia/Shanghai' });
  const flows = new FlowService(new MemoryDocStore('flows'), { bus });
  const app = createApp({
    resolveSession: async (sid) => (sid === 'sup' ? supervisor : undefined),
    health: async () => ({ status: 'ok' }),
    mount: [['/api', routingAdminRoutes(routing, { flows: () => flows })]],
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api/routing/${path}`, {
      method,
      headers: {
        cookie: '__Host-bl_session=sup',
        'x-csrf-token': 'csrf-sup',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  };
  return { routing, flows, call };
}

const profile = { languages: ['zh'], capacity: { webchat: 3 }, totalCapacity: 3 };

test('PUT a queue whose condition does not parse is refused with ROUTING_EXPRESSION_INVALID naming the field', async () => {
  const { call } = await setup();
  const r = await call('PUT', 'queues/billing', { name: '账务', agentExpression: '((' });
  assert.equal(r.status, 400);
  assert.equal(r.json['error'].code, 'ROUTING_EXPRESSION_INVALID');
  assert.equal(r.json['error'].details.field, 'agentExpression');
  assert.equal(typeof r.json['error'].details.position, 'number');
  assert.ok(!(await call('GET', 'config')).json['queues'].some((q: { id: string }) => q.id === 'billing'));
});

test('PUT a queue or an agent profile naming an unknown skill is refused with ROUTING_UNKNOWN_REFERENCE and the field', async () => {
  const { call } = await setup();
  const q = await call('PUT', 'queues/billing', { name: '账务', agentExpression: 'skills.billing >= 2' });
  assert.equal(q.status, 400);
  assert.equal(q.json['error'].code, 'ROUTING_UNKNOWN_REFERENCE');
  assert.deepEqual(q.json['error'].details, { field: 'agentExpression', kind: 'skill', ref: 'billing' });
  const p = await call('PUT', 'agents/u1', { ...profile, skills: { billing: 3 } });
  assert.equal(p.status, 400);
  assert.equal(p.json['error'].code, 'ROUTING_UNKNOWN_REFERENCE');
  assert.equal(p.json['error'].details.field, 'skills.billing');

  assert.equal((await call('PUT', 'skills/billing', { name: '账务' })).status, 204);
  assert.equal(
    (await call('PUT', 'queues/billing', { name: '账务', agentExpression: 'skills.billing >= 2' })).status,
    204,
  );
  assert.equal((await call('PUT', 'agents/u1', { ...profile, skills: { billing: 3 } })).status, 204);
});

test('PUT a workflow targeting an unknown queue or calendar is refused with the field named', async () => {
  const { call } = await setup();
  const q = await call('PUT', 'workflows/main', {
    name: '主策略',
    filters: [{ name: 'vip', expression: 'vipTier >= 2', targets: [{ queue: 'nope' }] }],
  });
  assert.equal(q.status, 400);
  assert.equal(q.json['error'].code, 'ROUTING_UNKNOWN_REFERENCE');
  assert.equal(q.json['error'].details.field, 'filters.0.targets.0.queue');
  const c = await call('PUT', 'workflows/main', { name: '主策略', filters: [], calendarId: 'nope' });
  assert.equal(c.status, 400);
  assert.equal(c.json['error'].code, 'ROUTING_UNKNOWN_REFERENCE');
  assert.equal(c.json['error'].details.field, 'calendarId');
});

test('DELETE a skill used by a queue and an agent profile is refused with ROUTING_IN_USE listing them by name', async () => {
  const { call } = await setup();
  await call('PUT', 'skills/billing', { name: '账务' });
  await call('PUT', 'queues/billing', { name: '账务队列', agentExpression: 'skills.billing >= 2' });
  await call('PUT', 'agents/u1', { ...profile, displayName: '王芳', skills: { billing: 3 } });
  const r = await call('DELETE', 'skills/billing');
  assert.equal(r.status, 409);
  assert.equal(r.json['error'].code, 'ROUTING_IN_USE');
  assert.deepEqual(r.json['error'].details.usedBy, [
    { kind: 'queue', id: 'billing', name: '账务队列' },
    { kind: 'profile', id: 'u1', name: '王芳' },
  ]);
  await call('PUT', 'queues/billing', { name: '账务队列' });
  await call('PUT', 'agents/u1', { ...profile, displayName: '王芳', skills: {} });
  assert.equal((await call('DELETE', 'skills/billing')).status, 204);
  assert.equal((await call('GET', 'config')).json['skills'].length, 0);
});

test('DELETE a queue used by a workflow or an IVR flow, or a calendar used by a workflow, is refused with 409', async () => {
  const { call, flows } = await setup();
  const queue = await call('DELETE', 'queues/general');
  assert.equal(queue.status, 409);
  assert.deepEqual(queue.json['error'].details.usedBy, [
    { kind: 'workflow', id: 'default', name: 'Default' },
  ]);
  const cal = await call('DELETE', 'calendars/business-hours');
  assert.equal(cal.status, 409);
  assert.equal(cal.json['error'].details.usedBy[0].id, 'default');

  await call('PUT', 'queues/ivr', { name: '语音' });
  await flows.save(
    {
      ...DEFAULT_INBOUND_FLOW,
      id: 'menu',
      name: '主菜单',
      nodes: {
        ...DEFAULT_INBOUND_FLOW.nodes,
        queue: { type: 'enqueue', queue: 'ivr' },
      },
    },
    { userId: 'sup' },
  );
  const byFlow = await call('DELETE', 'queues/ivr');
  assert.equal(byFlow.status, 409);
  assert.deepEqual(byFlow.json['error'].details.usedBy, [{ kind: 'flow', id: 'menu', name: '主菜单' }]);
});

test('DELETE a calendar that an IVR hours step follows is refused with 409 ROUTING_IN_USE naming the flow', async () => {
  const { call, flows } = await setup();
  const weekly = { Mon: [['09:00', '17:00']] };
  const cal = { name: '节假日值班', timeZone: 'Asia/Shanghai', weekly, holidays: [] };
  assert.equal((await call('PUT', 'calendars/duty', cal)).status, 204);
  await flows.save(
    {
      ...DEFAULT_INBOUND_FLOW,
      id: 'duty-line',
      name: '值班热线',
      nodes: {
        ...DEFAULT_INBOUND_FLOW.nodes,
        hours: { type: 'hours', calendar: 'duty', open: 'welcome', closed: 'closed' },
      },
    },
    { userId: 'sup' },
  );
  const refused = await call('DELETE', 'calendars/duty');
  assert.equal(refused.status, 409);
  assert.equal(refused.json['error'].code, 'ROUTING_IN_USE');
  assert.deepEqual(refused.json['error'].details.usedBy, [
    { kind: 'flow', id: 'duty-line', name: '值班热线' },
  ]);
  assert.ok((await call('GET', 'config')).json['calendars'].some((c: { id: string }) => c.id === 'duty'));

  // The hours step back on the default calendar: the calendar is nobody's, and goes.
  await flows.save({ ...DEFAULT_INBOUND_FLOW, id: 'duty-line', name: '值班热线' }, { userId: 'sup' });
  assert.equal((await call('DELETE', 'calendars/duty')).status, 204);
});

test('POST expression-check lists the agent profiles a condition matches, and refuses an unknown skill', async () => {
  const { call } = await setup();
  await call('PUT', 'skills/billing', { name: '账务' });
  await call('PUT', 'agents/u1', { ...profile, displayName: '王芳', skills: { billing: 3 } });
  await call('PUT', 'agents/u2', { ...profile, displayName: '李雷', skills: { billing: 1 } });
  const r = await call('POST', 'expression-check', { expression: 'skills.billing >= 2' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json['matches'], [{ userId: 'u1', displayName: '王芳', skills: { billing: 3 } }]);
  const bad = await call('POST', 'expression-check', { expression: 'skills.loans >= 1' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json['error'].details.field, 'agentExpression');
});

test('putQueue() refuses a condition that does not parse on the service path too (HQ policies)', async () => {
  const { routing } = await setup();
  await assert.rejects(routing.putQueue({ id: 'x', name: 'X', agentExpression: '((' }, 'hq'), {
    code: 'ROUTING_EXPRESSION_INVALID',
    details: { position: 2, field: 'agentExpression' },
  });
  assert.ok(!routing.config().queues.some((q) => q.id === 'x'));
});
