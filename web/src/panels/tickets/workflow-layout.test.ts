import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutWorkflow } from './workflow-layout.ts';

const wf = {
  initial: 'new',
  states: [{ id: 'new' }, { id: 'l1' }, { id: 'l2' }, { id: 'pending' }, { id: 'orphan' }],
  transitions: [
    { from: 'new', to: 'l1' },
    { from: 'l1', to: 'l2' },
    { from: 'l1', to: 'pending' },
    { from: 'pending', to: 'l1' },
    { from: 'l2', to: 'l2' },
  ],
};

test('layoutWorkflow() puts states in columns by distance from the initial state, unreached ones last', () => {
  const { boxes } = layoutWorkflow(wf);
  const col = (id: string) => boxes.get(id)?.x;
  assert.ok((col('new') ?? 0) < (col('l1') ?? 0));
  assert.ok((col('l1') ?? 0) < (col('l2') ?? 0));
  assert.equal(col('l2'), col('pending'));
  assert.notEqual(boxes.get('l2')?.y, boxes.get('pending')?.y);
  assert.ok((col('orphan') ?? 0) > (col('l2') ?? 0));
});

test('layoutWorkflow() draws one path per transition; opposite arrows bend apart and none is NaN', () => {
  const { edges } = layoutWorkflow(wf);
  assert.equal(edges.length, wf.transitions.length);
  for (const e of edges) assert.doesNotMatch(e.path, /NaN|Infinity/);
  const there = edges.find((e) => e.index === 2)?.path;
  const back = edges.find((e) => e.index === 3)?.path;
  assert.ok(there && back && there !== back.split(' ').reverse().join(' '));
  assert.match(edges.find((e) => e.index === 4)?.path ?? '', /C/);
});
