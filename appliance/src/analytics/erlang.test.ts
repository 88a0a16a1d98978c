import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erlangC, requiredAgents, serviceLevelFor } from './erlang.ts';

/** Textbook Erlang C: A^N/N! · N/(N−A) over Σ_{k<N} A^k/k! + that term, summed in log space. */
function erlangCDirect(n: number, a: number): number {
  let term = 1;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = term * (n / (n - a));
  return top / (sum + top);
}

test('erlangC() matches the textbook formula for 10 Erlangs on 11–14 agents (0.6821, 0.4494, 0.2853, 0.1741)', () => {
  const published: Array<[number, number]> = [
    [11, 0.6821],
    [12, 0.4494],
    [13, 0.2853],
    [14, 0.1741],
  ];
  for (const [n, pw] of published) {
    assert.ok(Math.abs(erlangC(n, 10) - pw) < 5e-4, `N=${n}: ${erlangC(n, 10)}`);
    assert.ok(Math.abs(erlangC(n, 10) - erlangCDirect(n, 10)) < 1e-12);
  }
});

test('requiredAgents() needs 14 agents for 100 contacts per 30 min at AHT 180 s and 80/20', () => {
  const r = requiredAgents({
    volume: 100,
    intervalSeconds: 1800,
    ahtSeconds: 180,
    targetLevel: 0.8,
    targetSeconds: 20,
  });
  assert.equal(r.trafficErlangs, 10);
  assert.equal(r.agents, 14);
  assert.ok(
    r.serviceLevel >= 0.8 && serviceLevelFor(13, { traffic: 10, ahtSeconds: 180, targetSeconds: 20 }) < 0.8,
  );
  assert.ok(Math.abs(r.serviceLevel - 0.8884) < 5e-4, String(r.serviceLevel));
});

test('requiredAgents() agrees with a brute-force search over the direct formula across a table of workloads', () => {
  const table: Array<[number, number, number, number, number, number]> = [
    // volume, interval s, AHT s, target level, target s, expected agents
    [100, 1800, 180, 0.8, 20, 14],
    [360, 3600, 240, 0.8, 20, 29],
    [50, 900, 300, 0.9, 30, 22],
    [10, 900, 200, 0.8, 20, 4],
    [1, 900, 120, 0.8, 20, 1],
  ];
  for (const [volume, intervalSeconds, ahtSeconds, targetLevel, targetSeconds, expected] of table) {
    const a = (volume * ahtSeconds) / intervalSeconds;
    let n = Math.floor(a) + 1;
    while (1 - erlangCDirect(n, a) * Math.exp((-(n - a) * targetSeconds) / ahtSeconds) < targetLevel) n++;
    const got = requiredAgents({ volume, intervalSeconds, ahtSeconds, targetLevel, targetSeconds });
    assert.equal(got.agents, n, `direct formula for ${volume}/${intervalSeconds}s`);
    assert.equal(got.agents, expected, `table row ${volume}/${intervalSeconds}s`);
  }
});

test('requiredAgents() schedules extra agents for shrinkage and rejects impossible inputs with RangeError', () => {
  const r = requiredAgents({
    volume: 100,
    intervalSeconds: 1800,
    ahtSeconds: 180,
    targetLevel: 0.8,
    targetSeconds: 20,
    shrinkage: 0.3,
  });
  assert.equal(r.scheduled, 20);
  assert.equal(
    requiredAgents({ volume: 0, intervalSeconds: 900, ahtSeconds: 180, targetLevel: 0.8, targetSeconds: 20 })
      .agents,
    0,
  );
  assert.throws(
    () =>
      requiredAgents({ volume: 1, intervalSeconds: 900, ahtSeconds: 0, targetLevel: 0.8, targetSeconds: 20 }),
    RangeError,
  );
  assert.throws(
    () =>
      requiredAgents({ volume: 1, intervalSeconds: 900, ahtSeconds: 60, targetLevel: 1, targetSeconds: 20 }),
    RangeError,
  );
});
