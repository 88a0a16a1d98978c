import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SLA_POLICY } from './seed.ts';
import { agent, FakeClock, makeTickets } from './test-support.ts';

// Monday 2024-09-23 09:00 in Beijing.
const MONDAY_9 = '2024-09-23T01:00:00Z';

async function setup() {
  const clock = new FakeClock(MONDAY_9);
  const t = await makeTickets({ clock });
  await t.service.departments.save(
    { id: 'escalation', name: 'Escalation desk', members: [{ userId: 'lead-1' }, { userId: 'lead-2' }] },
    { userId: 'admin' },
  );
  await t.service.policies.save(
    {
      ...DEFAULT_SLA_POLICY,
      id: 'standard',
      targets: { high: { firstResponseMinutes: 30, resolutionMinutes: 240 } },
      escalations: [
        {
          on: 'first_response',
          actions: [
            { kind: 'reassign', departmentId: 'escalation' },
            { kind: 'notify', userId: 'supervisor-1' },
          ],
        },
        { on: 'resolution', actions: [{ kind: 'raise_priority' }] },
      ],
    },
    { userId: 'admin' },
  );
  return { clock, ...t };
}

describe('SlaChecker.check()', () => {
  it('a missed first response on a fake clock reassigns, notifies and publishes sla_breached + escalated', async () => {
    const { clock, service, of } = await setup();
    const t = await service.lifecycle.create({ subject: 's', description: 'd', priority: 'high' }, agent());
    clock.advance(29);
    assert.equal(await service.sla.check(), 0);
    clock.advance(1);
    assert.equal(await service.sla.check(), 1);
    const [breach] = of('ticket.sla_breached');
    assert.equal(breach?.data.kind, 'first_response');
    assert.equal(breach?.data.dueAt, '2024-09-23T01:30:00.000Z');
    const escalated = of('ticket.escalated').map((e) => [e.data.action, e.data.recipientUserId]);
    assert.deepEqual(escalated, [
      ['reassign', 'lead-1'],
      ['notify', 'supervisor-1'],
    ]);
    const after = await service.get(t.id, agent());
    assert.equal(after.assigneeId, 'lead-1');
    assert.deepEqual(after.sla?.breached, ['first_response']);
    assert.equal(await service.sla.check(), 0, 'a breach is reported once');
    assert.ok((await service.history(t.id)).some((h) => h.action === 'sla_breached'));
  });

  it('a reply in time stops the first-response clock', async () => {
    const { clock, service, of } = await setup();
    const t = await service.lifecycle.create({ subject: 's', description: 'd', priority: 'high' }, agent());
    clock.advance(10);
    await service.notes.add(t.id, { text: 'We are on it', kind: 'reply' }, agent());
    clock.advance(60);
    assert.equal(await service.sla.check(), 0);
    assert.equal(of('ticket.escalated').length, 0);
  });

  it('resolution breaches only after business hours have run: nights do not count', async () => {
    const { clock, service, of } = await setup();
    const t = await service.lifecycle.create({ subject: 's', description: 'd', priority: 'high' }, agent());
    await service.notes.add(t.id, { text: 'ack', kind: 'reply' }, agent());
    clock.advance(4 * 60 - 1);
    assert.equal(await service.sla.check(), 0);
    clock.advance(1);
    await service.sla.check();
    assert.equal(of('ticket.sla_breached')[0]?.data.kind, 'resolution');
    const raised = of('ticket.escalated')[0];
    assert.deepEqual([raised?.data.action, raised?.data.priority], ['raise_priority', 'urgent']);
    assert.equal((await service.get(t.id, agent())).priority, 'urgent');
  });

  it('clocks pause in pending_customer and resume with the paused business time added', async () => {
    const { clock, service } = await setup();
    const t = await service.lifecycle.create({ subject: 's', description: 'd', priority: 'high' }, agent());
    await service.notes.add(t.id, { text: 'ack', kind: 'reply' }, agent());
    for (const s of ['open', 'l1', 'pending_customer']) await service.lifecycle.transition(t.id, s, agent());
    clock.advance(60); // 10:00, waiting on the customer
    assert.equal(await service.sla.check(), 0);
    clock.advance(6 * 60); // 16:00, still paused: past the 13:00 due time
    assert.equal(await service.sla.check(), 0, 'a paused clock never breaches');
    const resumed = await service.lifecycle.transition(t.id, 'l1', agent());
    // 240 business minutes from 09:00, paused 09:00→16:00: due moves to 16:00 + 240 min → Tue 11:00.
    assert.equal(resumed.sla?.due.resolution, '2024-09-24T03:00:00.000Z');
    assert.equal(resumed.sla?.pausedAt, undefined);
  });

  it('start() runs the checker on a timer and close() stops it', async () => {
    const { clock, service, of } = await setup();
    await service.lifecycle.create({ subject: 's', description: 'd', priority: 'high' }, agent());
    clock.advance(31);
    service.sla.start(20);
    for (let i = 0; i < 50 && of('ticket.sla_breached').length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await service.close();
    assert.equal(of('ticket.sla_breached').length, 1);
  });
});
