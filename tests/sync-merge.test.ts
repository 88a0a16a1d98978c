import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  canonicalJson,
  type FieldStamp,
  HybridClock,
  type MergeableDoc,
  mergeFields,
  PouchDB,
  resolveConflicts,
} from '../sync/src/index.ts';

/** A seeded PRNG so a failing order can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

test('concurrent ticket edits at branch and HQ merge to the same ticket in 100 random delivery orders', () => {
  // Both clocks read the same wall time, so ties are broken by node id alone.
  const branch = new HybridClock('B01', { now: () => 1_700_000_000_000 });
  const hq = new HybridClock('hq', { now: () => 1_700_000_000_000 });
  const edits: Array<Record<string, FieldStamp>> = [];
  const fields = ['status', 'priority', 'assignee', 'queue'];
  const random = rng(42);
  for (let i = 0; i < 30; i++) {
    const clock = i % 2 === 0 ? branch : hq;
    const field = fields[Math.floor(random() * fields.length)] as string;
    edits.push({ [field]: { v: `${clock.node}-${i}`, t: clock.now() } });
  }
  const results = new Set<string>();
  for (let order = 0; order < 100; order++) {
    let merged: Record<string, FieldStamp> = {};
    for (const e of shuffle(edits, rng(order + 1))) merged = mergeFields(merged, e);
    // Redelivery of an edit must not change the result either.
    merged = mergeFields(merged, edits[order % edits.length] as Record<string, FieldStamp>);
    results.add(canonicalJson(merged));
  }
  assert.equal(results.size, 1);
  const final = JSON.parse([...results][0] as string) as Record<string, FieldStamp>;
  // The latest HLC per field wins: ties at equal wall time resolve by counter, then 'hq' > 'B01'.
  for (const f of fields) {
    const stamps = edits.map((e) => e[f]).filter((s): s is FieldStamp => s !== undefined);
    if (stamps.length === 0) continue;
    const best = stamps.reduce((a, b) => (b.t > a.t ? b : a));
    assert.deepEqual(final[f], best);
  }
});

test('resolveConflicts() leaves both replicas with the same merged ticket and no open conflicts', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-merge-'));
  const a = new PouchDB(path.join(dir, 'branch'));
  const b = new PouchDB(path.join(dir, 'hq'));
  try {
    const base = {
      _id: 'ticket:t1',
      class: 'tickets',
      f: { status: { v: 'open', t: '000000000000001.000000.B01' } },
    };
    await a.put(base);
    await PouchDB.replicate(a, b);
    const atBranch = (await a.get('ticket:t1')) as MergeableDoc;
    const atHq = (await b.get('ticket:t1')) as MergeableDoc;
    await a.put({
      ...atBranch,
      f: { ...atBranch.f, priority: { v: 'high', t: '000000000000005.000000.B01' } },
    });
    await b.put({
      ...atHq,
      f: { ...atHq.f, status: { v: 'escalated', t: '000000000000006.000000.hq' } },
    });
    await PouchDB.replicate(b, a);
    const resolution = await resolveConflicts(a, 'ticket:t1');
    assert.ok(resolution, 'a conflict was there to resolve and was recorded');
    assert.equal(resolution.losers.length, 1);
    await PouchDB.replicate(a, b);
    await PouchDB.replicate(b, a);
    const fa = (await a.get('ticket:t1', { conflicts: true })) as MergeableDoc;
    const fb = (await b.get('ticket:t1', { conflicts: true })) as MergeableDoc;
    assert.equal(fa._conflicts, undefined);
    assert.equal(fb._conflicts, undefined);
    assert.equal(fa._rev, fb._rev);
    assert.deepEqual(Object.fromEntries(Object.entries(fa.f).map(([k, s]) => [k, s.v])), {
      priority: 'high',
      status: 'escalated',
    });
  } finally {
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  }
});
