import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../appliance/src/config/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { VoiceStack } from '../appliance/src/voice/index.ts';

test('loadConfig() reads SIP trunks and dial-out prefixes and names the variable when they are malformed', () => {
  const c = loadConfig({
    BRANCHLINE_SIP_TRUNKS: 'carrier=10.0.0.1,10.0.0.2; backup=192.168.1.9',
    BRANCHLINE_DIALOUT_PREFIXES: '+86, 010',
  });
  assert.deepEqual(c.sipTrunks, [
    { name: 'carrier', addresses: ['10.0.0.1', '10.0.0.2'] },
    { name: 'backup', addresses: ['192.168.1.9'] },
  ]);
  assert.deepEqual(c.dialoutPrefixes, ['+86', '010']);
  assert.deepEqual(loadConfig({}).sipTrunks, []);
  assert.throws(
    () => loadConfig({ BRANCHLINE_SIP_TRUNKS: 'carrier=not-an-ip' }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('BRANCHLINE_SIP_TRUNKS'),
  );
  assert.throws(() => loadConfig({ BRANCHLINE_SIP_TRUNKS: '=10.0.0.1' }), /BRANCHLINE_SIP_TRUNKS/);
  assert.throws(() => loadConfig({ BRANCHLINE_DIALOUT_PREFIXES: '+86,abc' }), /BRANCHLINE_DIALOUT_PREFIXES/);
});

test('the retention purge deletes recordings older than the setting by the injected clock, and only those', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-voice-ret-'));
  const crypto = await openCrypto(join(dir, 'keys'));
  const bus = new EventBus();
  const events: string[] = [];
  bus.subscribe('*', (e) => void events.push(e.type));
  let now = Date.parse('2025-01-01T00:00:00Z');
  const stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: new MemoryDocStore('recordings'),
    crypto,
    bus,
    logger: createLogger('voice-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: [],
      allowedPrefixes: [],
      realm: 'branchline',
      inboundFlow: async () => undefined,
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
    now: () => now,
  });
  try {
    const day = 86_400_000;
    await stack.recordings.begin('00000000-0000-4000-8000-000000000001', now - 40 * day);
    await stack.recordings.begin('00000000-0000-4000-8000-000000000002', now - 5 * day);
    assert.equal(await stack.retention.days(), 180);
    assert.equal(await stack.retention.purge(), 0);
    await stack.retention.setDays(30, { userId: 'admin' });
    assert.equal(await stack.retention.purge(), 1);
    assert.deepEqual(
      (await stack.recordings.list()).map((r) => r.callId),
      ['00000000-0000-4000-8000-000000000002'],
    );
    now += 26 * day;
    assert.equal(await stack.retention.purge(), 1);
    assert.deepEqual(await stack.recordings.list(), []);
    assert.ok(events.includes('recording.retention_changed') && events.includes('recording.purged'));
    await assert.rejects(stack.retention.setDays(0, { userId: 'admin' }), RangeError);
  } finally {
    await stack.close();
    crypto.close();
    bus.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('recordings never finished are marked interrupted at start-up and their summary says truncated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-voice-int-'));
  const crypto = await openCrypto(join(dir, 'keys'));
  const store = new MemoryDocStore('recordings');
  const bus = new EventBus();
  const stack = new VoiceStack({
    accountsStore: new MemoryDocStore('sip'),
    recordingsStore: store,
    crypto,
    bus,
    logger: createLogger('voice-test'),
    dataDir: dir,
    bind: '127.0.0.1',
    voice: {
      trustedTrunks: [],
      allowedPrefixes: [],
      realm: 'branchline',
      inboundFlow: async () => undefined,
    },
    tts: new EspeakTts(join(dir, 'prompts')),
    asr: new PocketsphinxAsr(),
  });
  try {
    await stack.recordings.begin('00000000-0000-4000-8000-00000000000a', Date.now());
    await stack.recordings.begin('00000000-0000-4000-8000-00000000000b', Date.now());
    await stack.recordings.finish('00000000-0000-4000-8000-00000000000b', {});
    assert.deepEqual(await stack.recordings.markInterrupted(), ['00000000-0000-4000-8000-00000000000a']);
    const byId = new Map((await stack.recordings.list()).map((r) => [r.callId, r]));
    assert.equal(byId.get('00000000-0000-4000-8000-00000000000a')?.status, 'interrupted');
    assert.equal(byId.get('00000000-0000-4000-8000-00000000000a')?.truncated, true);
    assert.equal(byId.get('00000000-0000-4000-8000-00000000000b')?.truncated, false);
    const wav = await stack.recordings.stereoWav('00000000-0000-4000-8000-00000000000a');
    assert.equal(wav?.truncated, true);
  } finally {
    await stack.close();
    crypto.close();
    bus.close();
    await rm(dir, { recursive: true, force: true });
  }
});
