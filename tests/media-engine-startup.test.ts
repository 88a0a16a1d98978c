// BRANCHLINE_MEDIA_ENGINE at start-up: /healthz names the engine and its
// version; mediasoup without a usable worker stops the appliance with a coded
// error instead of falling back to werift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveWorkerBin } from '../appliance/src/voice/media/mediasoup-worker-bin.ts';
import { startAppliance, tempDataDir } from './support/appliance.ts';

const workerBin = await resolveWorkerBin({
  explicit: process.env['MEDIASOUP_WORKER_BIN'] || undefined,
  cacheDir: process.env['BRANCHLINE_CACHE_DIR'] || '/var/cache/branchline',
}).catch(() => undefined);

test('BRANCHLINE_MEDIA_ENGINE=mediasoup with a missing worker stops start-up with VOICE_MEDIA_WORKER_MISSING', async () => {
  const data = await tempDataDir();
  try {
    await assert.rejects(
      startAppliance(data.dir, {
        env: { BRANCHLINE_MEDIA_ENGINE: 'mediasoup', MEDIASOUP_WORKER_BIN: `${data.dir}/no-such-worker` },
      }),
      (e: Error) =>
        /exited early \(1\)/.test(e.message) &&
        e.message.includes('VOICE_MEDIA_WORKER_MISSING') &&
        e.message.includes('no-such-worker'),
    );
  } finally {
    await data.cleanup();
  }
});

test('/healthz names the mediasoup engine and its version when the worker runs, and werift by default', {
  skip:
    workerBin === undefined
      ? 'mediasoup worker not built: run firmware-scripts/build-mediasoup-worker.sh'
      : false,
}, async () => {
  const data = await tempDataDir();
  const app = await startAppliance(data.dir, {
    env: { BRANCHLINE_MEDIA_ENGINE: 'mediasoup', MEDIASOUP_WORKER_BIN: workerBin ?? '' },
  });
  try {
    const h = (await (await fetch(`${app.base}/healthz`)).json()) as { media?: unknown };
    assert.deepEqual(h.media, { engine: 'mediasoup', version: '3.19.3' });
  } finally {
    await app.stop();
  }
  const plain = await startAppliance(data.dir);
  try {
    const h = (await (await fetch(`${plain.base}/healthz`)).json()) as { media?: unknown };
    assert.deepEqual(h.media, { engine: 'werift', version: '0.24.4' });
  } finally {
    await plain.stop();
    await data.cleanup();
  }
});
