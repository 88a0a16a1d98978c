import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config/index.ts';
import { type DomainEvent, EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { SetupService } from './service.ts';

const BRANCH = {
  name: '示例支行',
  branchId: 'SH01',
  language: 'zh-CN' as const,
  timeZone: 'Asia/Shanghai',
  phoneRegion: 'cn',
};

async function open(env: Record<string, string> = {}, store = new MemoryDocStore('setup')) {
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe('*', async (e) => {
    events.push(e);
  });
  const service = new SetupService(store, { bus, config: loadConfig(env) });
  await service.open();
  return { service, events, store };
}

test('setStep() stores done and skipped steps, survives a restart, and is complete only when no step is pending', async () => {
  const { service, events, store } = await open();
  assert.equal(service.view().complete, false);
  await service.setStep('branch', 'done', 'u1');
  await service.setStep('email', 'skipped', 'u1');
  assert.deepEqual(
    events.map((e) => [e.type, e.data, e.actor]),
    [
      ['setup.step_changed', { step: 'branch', state: 'done' }, 'u1'],
      ['setup.step_changed', { step: 'email', state: 'skipped' }, 'u1'],
    ],
  );
  const again = (await open({}, store)).service.view();
  assert.equal(again.steps.branch, 'done');
  assert.equal(again.steps.email, 'skipped');
  assert.equal(again.steps.queue, 'pending');
  for (const s of ['hours', 'queue', 'agents', 'voice', 'webchat', 'wechat', 'hq'] as const)
    await service.setStep(s, 'done', 'u1');
  assert.equal(service.view().complete, true);
  await service.setStep('hq', 'pending', 'u1');
  assert.equal(service.view().complete, false, 'a reopened step makes setup incomplete again');
});

test('putBranch() refuses a bad value with SETUP_INVALID_FIELD naming the field', async () => {
  const { service } = await open();
  for (const [field, value] of [
    ['timeZone', 'Mars/Olympus'],
    ['phoneRegion', 'XX'],
    ['branchId', 'has space'],
    ['name', '  '],
  ] as const) {
    await assert.rejects(service.putBranch({ ...BRANCH, [field]: value }, 'u1'), (e: unknown) => {
      const err = e as { code?: string; details?: { field?: string } };
      assert.equal(err.code, 'SETUP_INVALID_FIELD');
      assert.equal(err.details?.field, field);
      return true;
    });
  }
});

test('branch() gives the stored value, except where the environment sets one, which wins', async () => {
  const { service } = await open({ BRANCHLINE_TIMEZONE: 'Europe/Berlin' });
  const saved = await service.putBranch(BRANCH, 'u1');
  assert.equal(saved.branch.phoneRegion, 'CN', 'the region is stored upper-case');
  assert.equal(saved.branch.branchId, 'SH01');
  assert.equal(saved.sources.branchId, 'wizard');
  assert.equal(saved.branch.timeZone, 'Europe/Berlin');
  assert.equal(saved.sources.timeZone, 'environment');
  assert.equal(saved.branch.language, 'zh-CN');
});

test('putWidget() refuses a colour that is not #rrggbb', async () => {
  const { service } = await open();
  await assert.rejects(service.putWidget({ greeting: 'hi', colour: 'red' }, 'u1'), /colour/);
  assert.deepEqual((await service.putWidget({ greeting: ' 您好 ', colour: '#AA0000' }, 'u1')).widget, {
    greeting: '您好',
    colour: '#aa0000',
  });
});

test('onBranch gets the settings in force on open and after each save (the environment still wins)', async () => {
  const seen: string[] = [];
  const store = new MemoryDocStore('setup');
  const make = (env: Record<string, string>) =>
    new SetupService(store, {
      bus: new EventBus(),
      config: loadConfig(env),
      onBranch: (v) => seen.push(`${v.branch.phoneRegion}:${v.sources.phoneRegion}`),
    });
  const first = make({ BRANCHLINE_TIMEZONE: 'Asia/Shanghai' });
  await first.open();
  await first.putBranch({ ...BRANCH, phoneRegion: 'HK' }, 'u1');
  await make({ BRANCHLINE_TIMEZONE: 'Asia/Shanghai' }).open();
  await make({ BRANCHLINE_PHONE_REGION: 'SG' }).open();
  assert.deepEqual(seen, ['CN:default', 'HK:wizard', 'HK:wizard', 'SG:environment']);
});
