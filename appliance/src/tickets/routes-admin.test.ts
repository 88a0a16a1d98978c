import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Permission } from '../contracts/index.ts';
import { createApp, type Principal } from '../http/index.ts';
import { ticketAdminRoutes } from './routes-admin.ts';
import { agent, makeTickets } from './test-support.ts';

function principal(userId: string, perms: Permission[]): Principal {
  return {
    userId,
    username: userId,
    roles: [],
    permissions: new Set(perms),
    sessionId: userId,
    csrfToken: `csrf-${userId}`,
    mustChangePassword: false,
    mfaSetupRequired: false,
  };
}
const people: Record<string, Principal> = {
  admin: principal('adm', ['system.manage', 'tickets.read']),
  agent: principal('agt', ['tickets.read', 'tickets.write']),
};

async function setup(options: Parameters<typeof makeTickets>[0] = {}) {
  const t = await makeTickets(options);
  const app = createApp({
    resolveSession: async (sid) => people[sid],
    health: async () => ({ status: 'ok' }),
    mount: [['/api', ticketAdminRoutes(t.service)]],
  });
  const call = async (who: string, path: string, method = 'GET', body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: {
        cookie: `__Host-bl_session=${who}`,
        'x-csrf-token': people[who]?.csrfToken ?? '',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  return { ...t, call };
}

test('GET /departments/{id} returns the department and what uses it; an unknown one is 404 TICKETS_NOT_FOUND', async () => {
  const { call } = await setup();
  const put = await call('admin', '/api/departments/cards', 'PUT', {
    name: 'Cards',
    members: [{ userId: 'u1', level: 'L1' }],
  });
  assert.equal(put.status, 200);
  const got = await call('agent', '/api/departments/cards');
  assert.equal(got.status, 200);
  assert.equal(got.json.department.name, 'Cards');
  assert.deepEqual(got.json.usedBy, { tickets: [], workflows: [], policies: [] });
  const missing = await call('agent', '/api/departments/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'TICKETS_NOT_FOUND');
});

test('DELETE /departments/{id} is refused with 409 TICKETS_IN_USE naming its open ticket, the workflow needing its level and the SLA policy escalating to it', async () => {
  const { call, service, of } = await setup();
  await call('admin', '/api/departments/cards', 'PUT', {
    name: 'Cards',
    members: [{ userId: 'u1', level: 'L9' }],
  });
  const wf = await service.workflows.latest('default');
  const { version: _v, createdAt: _c, createdBy: _b, ...input } = wf;
  input.transitions = input.transitions.map((x) =>
    x.from === 'l1' && x.to === 'l2' ? { ...x, guards: [{ kind: 'passed_level', level: 'L9' }] } : x,
  );
  await service.workflows.publish(input, { userId: 'adm' });
  const policy = await service.policies.get('standard');
  await service.policies.save(
    {
      ...policy,
      escalations: [{ on: 'resolution', actions: [{ kind: 'reassign', departmentId: 'cards' }] }],
    },
    { userId: 'adm' },
  );
  const ticket = await service.lifecycle.create(
    { subject: 's', description: 'd', departmentId: 'cards' },
    agent(),
  );

  assert.equal((await call('agent', '/api/departments/cards', 'DELETE')).status, 403);
  const refused = await call('admin', '/api/departments/cards', 'DELETE');
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'TICKETS_IN_USE');
  assert.deepEqual(refused.json.error.details.usedBy, {
    tickets: [{ id: ticket.id, number: ticket.number }],
    workflows: [{ id: 'default', name: wf.name, level: 'L9' }],
    policies: [{ id: 'standard', name: policy.name }],
  });
  assert.equal((await call('agent', '/api/departments/cards')).status, 200, 'still there after the refusal');
  assert.equal(of('ticket.department_deleted').length, 0);
});

test('DELETE /departments/{id} removes an unused department and publishes ticket.department_deleted (audited)', async () => {
  const { call, of } = await setup();
  await call('admin', '/api/departments/spare', 'PUT', { name: 'Spare', members: [] });
  const gone = await call('admin', '/api/departments/spare', 'DELETE');
  assert.equal(gone.status, 200, JSON.stringify(gone.json));
  assert.equal((await call('admin', '/api/departments/spare')).status, 404);
  assert.equal((await call('admin', '/api/departments/spare', 'DELETE')).status, 404);
  const [e] = of('ticket.department_deleted');
  assert.deepEqual(e?.data, { departmentId: 'spare', name: 'Spare' });
  assert.equal(e?.actor, 'adm');
});

test('PUT an SLA policy whose escalation names an unknown department or user is refused with TICKETS_UNKNOWN_REFERENCE and the field', async () => {
  const { call } = await setup({ userExists: async (id) => id === 'u1' });
  assert.equal(
    (await call('admin', '/api/departments/cards', 'PUT', { name: 'Cards', members: [] })).status,
    200,
  );
  const policy = (escalations: unknown[]) => ({
    name: 'VIP',
    calendar: { timeZone: 'Asia/Shanghai', weekly: { Mon: [['09:00', '18:00']] } },
    targets: { urgent: { firstResponseMinutes: 15 } },
    escalations,
  });
  const badDept = await call(
    'admin',
    '/api/sla-policies/vip',
    'PUT',
    policy([
      { on: 'first_response', actions: [{ kind: 'raise_priority' }] },
      {
        on: 'resolution',
        actions: [
          { kind: 'notify', userId: 'u1' },
          { kind: 'reassign', departmentId: 'loans' },
        ],
      },
    ]),
  );
  assert.equal(badDept.status, 400);
  assert.equal(badDept.json.error.code, 'TICKETS_UNKNOWN_REFERENCE');
  assert.deepEqual(badDept.json.error.details, {
    field: 'escalations.1.actions.1.departmentId',
    kind: 'department',
    ref: 'loans',
  });
  const badUser = await call(
    'admin',
    '/api/sla-policies/vip',
    'PUT',
    policy([{ on: 'first_response', actions: [{ kind: 'notify', userId: 'ghost' }] }]),
  );
  assert.equal(badUser.status, 400);
  assert.deepEqual(badUser.json.error.details, {
    field: 'escalations.0.actions.0.userId',
    kind: 'user',
    ref: 'ghost',
  });
  const listed = await call('agent', '/api/sla-policies');
  assert.ok(!listed.json.policies.some((p: { id: string }) => p.id === 'vip'), 'nothing refused was stored');

  const rules = [
    { on: 'first_response', actions: [{ kind: 'raise_priority' }, { kind: 'notify', userId: 'u1' }] },
    { on: 'resolution', actions: [{ kind: 'reassign', departmentId: 'cards' }] },
  ];
  assert.equal((await call('admin', '/api/sla-policies/vip', 'PUT', policy(rules))).status, 200);
  const saved = (await call('agent', '/api/sla-policies')).json.policies.find(
    (p: { id: string }) => p.id === 'vip',
  );
  assert.deepEqual(saved.escalations, rules);
});
