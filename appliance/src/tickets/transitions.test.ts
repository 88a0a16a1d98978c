import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TicketsError } from './errors.ts';
import { agent, makeTickets, RecordingReplier } from './test-support.ts';

async function refused(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TicketsError, String(err));
    assert.equal(err.code, 'TICKETS_TRANSITION_REFUSED');
    assert.equal(err.status, 422);
    return err.details ?? {};
  }
  assert.fail('expected TICKETS_TRANSITION_REFUSED');
}

describe('TicketLifecycle.transition()', () => {
  it('numbers tickets per branch: BR-000001, BR-000002 even when created concurrently', async () => {
    const { service } = await makeTickets();
    const made = await Promise.all(
      [1, 2, 3].map((i) => service.lifecycle.create({ subject: `s${i}`, description: 'd' }, agent())),
    );
    assert.deepEqual(made.map((t) => t.number).sort(), ['BR-000001', 'BR-000002', 'BR-000003']);
  });

  it('refuses L1 → L2 without a diagnosis, naming the field, then accepts it with one', async () => {
    const { service, of } = await makeTickets();
    const t = await service.lifecycle.create(
      { subject: 'ATM kept card', description: 'at branch 3' },
      agent(),
    );
    await service.lifecycle.transition(t.id, 'open', agent());
    await service.lifecycle.transition(t.id, 'l1', agent());
    const d = await refused(service.lifecycle.transition(t.id, 'l2', agent()));
    assert.deepEqual(d.missingFields, ['diagnosis']);
    assert.equal(d.reason, 'missing_fields');
    assert.equal((await service.get(t.id, agent())).state, 'l1', 'a refused move changes nothing');
    const moved = await service.lifecycle.transition(t.id, 'l2', agent(), {
      fields: { diagnosis: 'card reader jam' },
    });
    assert.equal(moved.state, 'l2');
    assert.equal(moved.fields.diagnosis, 'card reader jam');
    assert.deepEqual(
      of('ticket.transitioned').map((e) => e.data.to),
      ['open', 'l1', 'l2'],
    );
  });

  it('refuses a transition the workflow does not have, listing the allowed ones', async () => {
    const { service } = await makeTickets();
    const t = await service.lifecycle.create({ subject: 's', description: 'd' }, agent());
    const d = await refused(service.lifecycle.transition(t.id, 'resolved', agent()));
    assert.equal(d.reason, 'no_transition');
    assert.deepEqual(d.allowed, ['open']);
  });

  it('refuses a role that is not allowed and a senior step before a junior engineer held a technical ticket', async () => {
    const { service } = await makeTickets();
    await service.workflows.publish(
      {
        id: 'tech',
        name: 'Technical',
        initial: 'l1',
        states: [
          { id: 'l1', category: 'open' },
          { id: 'l2_junior', category: 'open' },
          { id: 'l2_senior', category: 'open' },
          { id: 'closed', category: 'closed' },
        ],
        transitions: [
          { from: 'l1', to: 'l2_junior', roles: ['agent'] },
          {
            from: 'l1',
            to: 'l2_senior',
            roles: ['supervisor'],
            guards: [
              { kind: 'passed_level', level: 'L2-junior', when: { field: 'category', equals: 'technical' } },
            ],
          },
          { from: 'l2_junior', to: 'l1' },
          { from: 'l2_junior', to: 'closed' },
          { from: 'l2_senior', to: 'closed' },
        ],
      },
      { userId: 'admin' },
    );
    await service.departments.save(
      { id: 'l2', name: 'Second line', members: [{ userId: 'jun', level: 'L2-junior' }] },
      { userId: 'admin' },
    );
    const sup = agent('sup', ['supervisor']);
    const t = await service.lifecycle.create(
      { subject: 'POS offline', description: 'd', workflowId: 'tech', fields: { category: 'technical' } },
      agent(),
    );
    assert.deepEqual(
      (await refused(service.lifecycle.transition(t.id, 'l2_senior', agent()))).requiredRoles,
      ['supervisor'],
    );
    const g = await refused(service.lifecycle.transition(t.id, 'l2_senior', sup));
    assert.deepEqual([g.reason, g.guard, g.level], ['guard', 'passed_level', 'L2-junior']);
    await service.lifecycle.assign(t.id, { userId: 'jun', departmentId: 'l2' }, sup);
    assert.equal((await service.lifecycle.transition(t.id, 'l2_senior', sup)).state, 'l2_senior');
    const billing = await service.lifecycle.create(
      { subject: 'fee', description: 'd', workflowId: 'tech', fields: { category: 'billing' } },
      agent(),
    );
    assert.equal((await service.lifecycle.transition(billing.id, 'l2_senior', sup)).state, 'l2_senior');
  });

  it('keeps tickets on the workflow version they started on after a new version is published', async () => {
    const { service } = await makeTickets();
    const old = await service.lifecycle.create({ subject: 's', description: 'd' }, agent());
    const v2 = structuredClone(await service.workflows.latest('default'));
    v2.transitions = v2.transitions.map((t) =>
      t.from === 'new' ? { ...t, requiredFields: ['category'] } : t,
    );
    const published = await service.workflows.publish(v2, { userId: 'admin' });
    assert.equal(published.version, 2);
    assert.equal((await service.lifecycle.transition(old.id, 'open', agent())).state, 'open');
    const fresh = await service.lifecycle.create({ subject: 's', description: 'd' }, agent());
    assert.equal(fresh.workflowVersion, 2);
    assert.deepEqual((await refused(service.lifecycle.transition(fresh.id, 'open', agent()))).missingFields, [
      'category',
    ]);
  });

  it('tells the customer in their language on the contact they used when the ticket reaches L2 and is resolved', async () => {
    const replier = new RecordingReplier();
    const { service, of } = await makeTickets({ replier });
    const zh = await service.lifecycle.create(
      { subject: 's', description: 'd', contactIds: ['c-zh'] },
      agent(),
    );
    const en = await service.lifecycle.create(
      { subject: 's', description: 'd', contactIds: ['c-en'], language: 'en' },
      agent(),
    );
    for (const t of [zh, en]) {
      for (const s of ['open', 'l1']) await service.lifecycle.transition(t.id, s, agent());
      await service.lifecycle.transition(t.id, 'l2', agent(), { fields: { diagnosis: 'x' } });
    }
    await service.lifecycle.transition(en.id, 'resolved', agent(), {
      fields: { resolution: 'card replaced' },
    });
    assert.equal(replier.sent.length, 3);
    assert.equal(replier.sent[0]?.contactId, 'c-zh');
    assert.match(replier.sent[0]?.text ?? '', /工单 BR-000001 已转交二线/);
    assert.match(replier.sent[1]?.text ?? '', /^Hello, your ticket BR-000002 has been passed/);
    assert.match(replier.sent[2]?.text ?? '', /resolved: card replaced/);
    assert.ok(of('ticket.customer_notified').every((e) => e.data.delivered));
  });

  it('publishes customer_notified with delivered:false when no conversations service is there', async () => {
    const { service, of } = await makeTickets();
    const t = await service.lifecycle.create({ subject: 's', description: 'd', contactIds: ['c1'] }, agent());
    for (const s of ['open', 'l1']) await service.lifecycle.transition(t.id, s, agent());
    await service.lifecycle.transition(t.id, 'l2', agent(), { fields: { diagnosis: 'x' } });
    const [e] = of('ticket.customer_notified');
    assert.equal(e?.data.delivered, false);
    assert.equal(e?.data.reason, 'no_conversations_service');
  });

  it('assigns round-robin within a department and persists the rotation cursor', async () => {
    const { service } = await makeTickets();
    await service.departments.save(
      { id: 'cards', name: 'Cards', members: [{ userId: 'a' }, { userId: 'b' }, { userId: 'c' }] },
      { userId: 'admin' },
    );
    const picks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const t = await service.lifecycle.create({ subject: `s${i}`, description: 'd' }, agent());
      picks.push((await service.lifecycle.assign(t.id, { departmentId: 'cards' }, agent())).assigneeId ?? '');
    }
    assert.deepEqual(picks, ['a', 'b', 'c', 'a']);
    assert.equal((await service.departments.get('cards')).cursor, 1);
  });
});
