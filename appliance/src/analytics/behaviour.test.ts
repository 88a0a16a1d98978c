import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customerBehaviour } from './behaviour.ts';
import { labelTrends } from './labels.ts';
import type { ContactFact } from './types.ts';

let n = 0;
function fact(
  customerId: string,
  channel: string,
  queuedAt: string,
  extra: Partial<ContactFact> = {},
): ContactFact {
  n++;
  return {
    contactId: `c${n}`,
    customerId,
    channel,
    queue: '-',
    bucket: queuedAt,
    queuedAt,
    state: 'closed',
    stateAt: queuedAt,
    events: [],
    ...extra,
  };
}

const range = { from: '2024-03-08T00:00:00.000Z', to: '2024-03-15T00:00:00.000Z' };

test('customerBehaviour() counts repeats within 7 days, a chat-then-call switch within 24 h, and the channel mix', () => {
  const facts = [
    fact('alice', 'webchat', '2024-03-02T09:00:00.000Z'), // before the range: only makes the next one a repeat
    fact('alice', 'webchat', '2024-03-08T10:00:00.000Z'),
    fact('alice', 'voice', '2024-03-08T15:00:00.000Z'), // repeat + switch webchat → voice
    fact('bob', 'email', '2024-03-09T10:00:00.000Z'),
    fact('bob', 'webchat', '2024-03-12T10:00:00.000Z'), // repeat, but no switch (72 h later)
    fact('carol', 'webchat', '2024-03-10T10:00:00.000Z'),
    fact('dave', 'webchat', '2024-03-20T10:00:00.000Z'), // after the range
  ];
  const b = customerBehaviour(facts, range);
  assert.equal(b.contacts, 5);
  assert.equal(b.customers, 3);
  assert.equal(b.repeat.contacts, 3);
  assert.equal(b.repeat.rate, 3 / 5);
  assert.equal(b.switching.contacts, 1);
  assert.deepEqual(b.switching.pairs, [{ from: 'webchat', to: 'voice', count: 1 }]);
  assert.deepEqual(b.channelMix[0], { channel: 'webchat', contacts: 3, customers: 3, share: 3 / 5 });
  assert.deepEqual(
    b.perCustomer.map((p) => p.customers),
    [1, 2, 0, 0, 0],
  );
  assert.equal(b.averagePerCustomer, 5 / 3);
});

test('customerBehaviour() reports null rates for an empty range rather than dividing by zero', () => {
  const b = customerBehaviour([], range);
  assert.equal(b.repeat.rate, null);
  assert.equal(b.switching.rate, null);
  assert.equal(b.averagePerCustomer, null);
});

test('labelTrends() counts contacts per day by intent and wrap-up code, ignoring unknown intents', () => {
  const days = ['2024-03-08', '2024-03-09'];
  const at = (d: string) => new Date(`${d}T12:00:00`).toISOString();
  const l = labelTrends(
    [
      fact('a', 'webchat', at('2024-03-08'), { intent: 'card_lost', wrapUpCode: 'resolved' }),
      fact('b', 'webchat', at('2024-03-09'), { intent: 'card_lost' }),
      fact('c', 'webchat', at('2024-03-09'), { intent: 'unknown', wrapUpCode: 'resolved' }),
    ],
    days,
  );
  assert.deepEqual(l.intent, [{ label: 'card_lost', total: 2, series: [1, 1] }]);
  assert.deepEqual(l.wrapUp, [{ label: 'resolved', total: 2, series: [1, 1] }]);
});
