import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReceiveStats } from './stats.ts';

/** 20 ms PCMU frames: `n` packets from `seq`/`ts` on `ssrc`, skipping those `drop` names. */
function feed(
  stats: ReceiveStats,
  from: { ssrc: number; seq: number; ts: number; at: number },
  n: number,
  options: { drop?: (i: number) => boolean; timing?: boolean } = {},
): void {
  for (let i = 0; i < n; i++) {
    if (options.drop?.(i)) continue;
    stats.onPacket((from.seq + i) & 0xffff, (from.ts + i * 160) >>> 0, from.at + i * 20, 172, {
      ssrc: from.ssrc,
      ...(options.timing === false ? { timing: false } : {}),
    });
  }
}

test('a sender that switches SSRC mid-call, with a new sequence space, shows no loss', () => {
  const stats = new ReceiveStats();
  feed(stats, { ssrc: 0x1111, seq: 1000, ts: 5000, at: 0 }, 100);
  assert.equal(stats.intervalLossPct(), 0);
  // The new stream numbers from far away: forward, then backward in the 16-bit space.
  feed(stats, { ssrc: 0x2222, seq: 20_000, ts: 900_000, at: 2000 }, 100);
  feed(stats, { ssrc: 0x3333, seq: 10, ts: 77, at: 4000 }, 100);
  assert.equal(stats.intervalLossPct(), 0);
  const snap = stats.snapshot();
  assert.equal(snap.lost, 0);
  assert.equal(snap.packetsIn, 300);
  assert.ok(snap.mos > 4, `mos ${snap.mos}`);
  assert.ok(snap.jitterMs < 1, `jitter ${snap.jitterMs} ms (a new SSRC's timestamps are not jitter)`);
});

test('RFC 4733 events on their own SSRC interleaved with the audio show no loss', () => {
  const stats = new ReceiveStats();
  feed(stats, { ssrc: 0xaaaa, seq: 500, ts: 0, at: 0 }, 50);
  feed(stats, { ssrc: 0xbbbb, seq: 9_000, ts: 123_456, at: 1000 }, 8, { timing: false });
  feed(stats, { ssrc: 0xaaaa, seq: 550, ts: 8000, at: 1000 }, 50);
  assert.equal(stats.intervalLossPct(), 0);
  assert.equal(stats.snapshot().lost, 0);
});

test('real loss on one SSRC is still counted, per interval and in total', () => {
  const stats = new ReceiveStats();
  feed(stats, { ssrc: 7, seq: 65_500, ts: 0, at: 0 }, 100);
  assert.equal(stats.intervalLossPct(), 0);
  // Every fourth packet lost, across the sequence wrap.
  feed(stats, { ssrc: 7, seq: 64, ts: 16_000, at: 2000 }, 200, { drop: (i) => i % 4 === 3 });
  const pct = stats.intervalLossPct();
  assert.ok(pct > 20 && pct < 30, `interval loss ${pct}`);
  const snap = stats.snapshot();
  // 50 dropped; the last one is not yet known to be lost (nothing after it arrived).
  assert.equal(snap.lost, 49);
  assert.ok(snap.mos < 3.6, `mos ${snap.mos}`);
});

test('a flood of fresh SSRCs is bounded and never makes the totals go back', () => {
  const stats = new ReceiveStats();
  feed(stats, { ssrc: 1, seq: 0, ts: 0, at: 0 }, 10, { drop: (i) => i === 5 });
  for (let s = 2; s < 1000; s++) feed(stats, { ssrc: s, seq: s * 7, ts: s, at: s }, 2);
  const snap = stats.snapshot();
  assert.equal(snap.lost, 1);
  assert.equal(snap.packetsIn, 9 + 998 * 2);
});
