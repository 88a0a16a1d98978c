import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { DEFAULT_INBOUND_FLOW } from './default-inbound.ts';
import { FlowsError } from './errors.ts';
import { FlowService } from './service.ts';

const noQueues = () => ({ queues: new Set<string>(), calendars: new Set<string>() });

test('FlowService.save() refuses a flow naming a queue routing lacks with FLOWS_UNKNOWN_QUEUE', async () => {
  const flows = new FlowService(new MemoryDocStore('flows'), { bus: new EventBus(), catalog: noQueues });
  await assert.rejects(
    flows.save(DEFAULT_INBOUND_FLOW, { userId: 'admin' }),
    (e: unknown) =>
      e instanceof FlowsError && e.code === 'FLOWS_UNKNOWN_QUEUE' && e.details?.['node'] === 'queue',
  );
});

test('FlowService.save() seeds the built-in flow without the catalog, so a first start never fails on routing', async () => {
  const flows = new FlowService(new MemoryDocStore('flows'), { bus: new EventBus(), catalog: noQueues });
  const saved = await flows.save(DEFAULT_INBOUND_FLOW, { userId: 'system' }, { seed: true });
  assert.equal(saved.version, 1);
});
