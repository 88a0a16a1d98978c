import assert from 'node:assert/strict';
import { test } from 'node:test';
import { termLists } from './topic-report.ts';
import type { TermDay } from './topic-store.ts';

const DAYS = ['2024-03-01', '2024-03-02'];
const people = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `p${from + i}`);
const row = (day: string, term: string, n: number, p: string[]): TermDay => ({ day, term, n, p });

// 40 messages: "credit card" in 10 (customers p0–p9), "card" alone in 4 more (p20–p23), "credit" never alone.
const ROWS: TermDay[] = [
  row('2024-03-02', 'credit card', 10, people(10)),
  row('2024-03-02', 'credit', 10, people(10)),
  row('2024-03-02', 'card', 14, [...people(10), ...people(4, 20)]),
  row('2024-03-02', 'refund', 6, people(6, 30)),
  // A pair seen 3 times among frequent words: a chance neighbour, not a phrase.
  row('2024-03-02', 'refund card', 3, people(3, 30)),
];

test('termLists() lists a kept phrase and counts its words only outside it, so the top list does not double count', () => {
  const lists = termLists(ROWS, { days: DAYS, windowFrom: '2024-03-02', messages: 40, k: 3, limit: 10 });
  const top = new Map(lists.top.map((t) => [t.term, t]));
  assert.equal(top.get('credit card')?.window, 10);
  assert.equal(top.has('credit'), false, 'every "credit" was inside the phrase');
  assert.equal(top.get('card')?.window, 4);
  assert.equal(top.get('card')?.customers, 4);
  assert.deepEqual(top.get('card')?.series, [0, 4]);
  assert.equal(top.get('refund')?.window, 6, 'a rejected pair takes nothing from its words');
  assert.equal(top.has('refund card'), false);
});

test('termLists() drops a phrase whose words were pruned, and hides a word left with fewer than k customers', () => {
  const lists = termLists(
    [
      row('2024-03-02', 'credit card', 10, people(10)),
      row('2024-03-02', 'card', 12, [...people(10), ...people(2, 20)]),
    ],
    { days: DAYS, windowFrom: '2024-03-02', messages: 40, k: 3, limit: 10 },
  );
  assert.deepEqual(
    lists.top.map((t) => t.term),
    ['card'],
  );
  const kept = termLists(
    [...ROWS.slice(0, 2), row('2024-03-02', 'card', 12, [...people(10), ...people(2, 20)])],
    { days: DAYS, windowFrom: '2024-03-02', messages: 40, k: 3, limit: 10 },
  );
  assert.equal(
    kept.top.some((t) => t.term === 'card'),
    false,
    '2 uses by 2 customers outside the phrase',
  );
});
