import assert from 'node:assert/strict';
import { test } from 'node:test';
import { edgesOf, type FlowDraft, flowTree, renamed, withEdge, withoutNode } from './flow-model.ts';

const FLOW: FlowDraft = {
  id: 'inbound',
  name: 'In',
  language: 'zh',
  start: 'hours',
  nodes: {
    hours: { type: 'hours', open: 'menu', closed: 'vm' },
    menu: { type: 'menu', options: { '1': 'q', '2': 'vm' }, default: 'menu' },
    q: { type: 'enqueue', queue: 'sales' },
    vm: { type: 'voicemail' },
    lost: { type: 'hangup' },
  },
};

test('flowTree() walks from the start, shows a node met again as a reference, and lists unreachable nodes apart', () => {
  const { main, unreachable } = flowTree(FLOW);
  assert.equal(main?.id, 'hours');
  const menu = main?.children[0];
  assert.deepEqual(
    menu?.children.map((c) => [c.via?.kind, c.via?.key, c.id, c.ref]),
    [
      ['key', '1', 'q', false],
      ['key', '2', 'vm', false],
      ['default', undefined, 'menu', true],
    ],
  );
  assert.equal(main?.children[1]?.ref, true, 'closed → vm was met under key 2');
  assert.deepEqual(
    unreachable.map((u) => u.id),
    ['lost'],
  );
});

test('withoutNode() leaves edges dangling so the tree (and validation) shows them missing', () => {
  const { main } = flowTree(withoutNode(FLOW, 'q'));
  assert.equal(main?.children[0]?.children[0]?.missing, true);
});

test('renamed() moves the node and every edge and the start that pointed at it', () => {
  const f = renamed(FLOW, 'hours', 'open-hours');
  assert.equal(f.start, 'open-hours');
  const g = renamed(FLOW, 'vm', 'mailbox');
  assert.deepEqual(
    edgesOf(g.nodes['hours']!).map((e) => e.target),
    ['menu', 'mailbox'],
  );
  assert.equal((g.nodes['menu']!['options'] as Record<string, string>)['2'], 'mailbox');
});

test('withEdge() clears an optional voicemail next instead of storing an empty target', () => {
  const vm = withEdge({ type: 'voicemail', next: 'x' }, { kind: 'next', target: 'x' }, '');
  assert.equal('next' in vm, false);
});
