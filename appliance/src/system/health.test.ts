import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createHealth } from './index.ts';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'bl-health-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('snapshot() reports ok with real system figures when every check passes', async () => {
  const health = createHealth({ dataDir, version: '1.2.3', checks: { store: async () => ({ ok: true }) } });
  const s = await health.snapshot();
  assert.equal(s.status, 'ok');
  assert.equal(s.version, '1.2.3');
  assert.deepEqual(s.checks, { store: { ok: true } });
  assert.ok(s.system);
  for (const v of [s.system.cpuLoad, s.system.memUsedPct, s.system.diskFreePct]) {
    assert.ok(v >= 0 && v <= 100, `figure ${v} in 0..100`);
  }
  assert.ok(s.system.diskFreePct > 0, 'data dir filesystem found');
});

test('snapshot() is degraded when a check fails, throws or times out, with the reason', async () => {
  const health = createHealth({
    dataDir,
    checkTimeoutMs: 50,
    checks: {
      ok: async () => ({ ok: true }),
      sip: async () => ({ ok: false, detail: 'port 5060 not bound' }),
      hq: async () => {
        throw new Error('ECONNREFUSED');
      },
      slow: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 500).unref()),
    },
  });
  const s = await health.snapshot();
  assert.equal(s.status, 'degraded');
  assert.deepEqual(s.checks['sip'], { ok: false, detail: 'port 5060 not bound' });
  assert.deepEqual(s.checks['hq'], { ok: false, detail: 'ECONNREFUSED' });
  assert.equal(s.checks['slow']?.ok, false);
  assert.match(s.checks['slow']?.detail ?? '', /timed out/);
  assert.deepEqual(s.checks['ok'], { ok: true });
});

test('snapshot() reuses system figures for at least 5 s even when asked for less, and counts uptime', async () => {
  let t = 1_000_000;
  const health = createHealth({ dataDir, cacheMs: 10, now: () => t });
  const a = await health.snapshot();
  t += 4_900;
  const b = await health.snapshot();
  assert.equal(b.system, a.system, 'same cached object within 5 s');
  assert.equal(b.uptimeS, 4);
  t += 200;
  const c = await health.snapshot();
  assert.notEqual(c.system, a.system, 'refreshed after 5 s');
});

test('snapshot() says starting while ready() is false, then ok', async () => {
  let ready = false;
  const h = createHealth({ dataDir, checks: { a: async () => ({ ok: true }) }, ready: () => ready });
  assert.equal((await h.snapshot()).status, 'starting');
  ready = true;
  assert.equal((await h.snapshot()).status, 'ok');
});
