import assert from 'node:assert/strict';
import { test } from 'node:test';
import { churnRisk } from './churn.ts';

const now = new Date('2024-03-31T12:00:00Z');

test('churnRisk() adds explainable points per signal, caps at 100 and ignores contacts older than 30 days', () => {
  const r = churnRisk(
    {
      customerId: 'c1',
      contacts: [
        { contactId: 'old', at: '2024-01-01T00:00:00Z', csat: 1 },
        { contactId: 'a', at: '2024-03-20T10:00:00Z', csat: 1 },
        { contactId: 'b', at: '2024-03-22T10:00:00Z', abandoned: true },
        { contactId: 'c', at: '2024-03-30T10:00:00Z' },
      ],
      escalatedTickets: ['t1'],
    },
    now,
  );
  assert.deepEqual(
    r.reasons,
    [
      { code: 'negative_csat', count: 1, points: 30 },
      { code: 'repeat_contact_7d', count: 1, points: 15 },
      { code: 'open_escalated_ticket', count: 1, points: 25 },
      { code: 'abandoned', count: 1, points: 10 },
    ].sort((a, b) => b.points - a.points),
  );
  assert.equal(r.score, 80);
  assert.equal(r.level, 'high');
  assert.equal(
    churnRisk({ customerId: 'c2', contacts: [], escalatedTickets: ['a', 'b', 'c', 'd', 'e'] }, now).score,
    100,
  );
  assert.equal(churnRisk({ customerId: 'c3', contacts: [], escalatedTickets: [] }, now).level, 'low');
});
