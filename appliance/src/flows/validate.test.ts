import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowsError } from './errors.ts';
import type { FlowDefinition } from './types.ts';
import { validateFlow } from './validate.ts';

const flow = (nodes: FlowDefinition['nodes'], extra: Partial<FlowDefinition> = {}): FlowDefinition => ({
  id: 'f',
  name: 'F',
  language: 'zh',
  start: 'menu',
  nodes,
  ...extra,
});

const refused = (f: unknown, code: string, node: string, reason?: string) =>
  assert.throws(
    () => validateFlow(f, { queues: new Set(['sales']), calendars: new Set(['weekdays']) }),
    (e: unknown) =>
      e instanceof FlowsError &&
      e.code === code &&
      e.details?.['node'] === node &&
      (reason === undefined || String(e.details?.['reason']).startsWith(reason)),
  );

const MENU = {
  menu: { type: 'menu', options: { '1': 'q' }, default: 'bye' },
  q: { type: 'enqueue', queue: 'sales' },
  bye: { type: 'hangup' },
} satisfies FlowDefinition['nodes'];

test('validateFlow() refuses a node the start never reaches, naming that node', () => {
  refused(
    flow({ ...MENU, lost: { type: 'say', text: 'hi', next: 'bye' } }),
    'FLOWS_INVALID',
    'lost',
    'unreachable',
  );
});

test('validateFlow() refuses an enqueue to a queue routing does not have with FLOWS_UNKNOWN_QUEUE', () => {
  refused(flow({ ...MENU, q: { type: 'enqueue', queue: 'nope' } }), 'FLOWS_UNKNOWN_QUEUE', 'q');
});

test('validateFlow() refuses an hours node on an unknown calendar with FLOWS_UNKNOWN_CALENDAR', () => {
  const nodes = { ...MENU, h: { type: 'hours', calendar: 'x', open: 'menu', closed: 'bye' } } as const;
  refused(flow(nodes, { start: 'h' }), 'FLOWS_UNKNOWN_CALENDAR', 'h');
  assert.ok(
    validateFlow(flow({ ...nodes, h: { ...nodes.h, calendar: 'weekdays' } }, { start: 'h' }), {
      queues: new Set(['sales']),
      calendars: new Set(['weekdays']),
    }),
  );
});

test('validateFlow() refuses a listen node that lists an intent twice', () => {
  const nodes = {
    l: { type: 'listen', intents: ['cancel', 'cancel'], next: { cancel: 'bye' }, fallback: 'bye' },
    bye: { type: 'hangup' },
  } as const;
  refused(
    flow(nodes as never, { start: 'l', intents: { cancel: ['cancel my order'] } }),
    'FLOWS_INVALID',
    'l',
    'duplicate_key',
  );
});

test('validateFlow() without a catalog does not check queues (the seed runs before routing answers)', () => {
  assert.ok(validateFlow(flow({ ...MENU, q: { type: 'enqueue', queue: 'nope' } })));
});
