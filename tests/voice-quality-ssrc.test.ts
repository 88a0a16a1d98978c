// Call-quality alarms against the real media worker process, fed by real UDP RTP senders:
// a sender that switches SSRC mid-call (as RFC 2833/4733 DTMF senders do) is not loss,
// while a sender that really loses packets raises the alarm.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { createLogger } from '../appliance/src/logging/index.ts';
import { MediaWorker } from '../appliance/src/voice/media/supervisor.ts';
import { until } from './support/until.ts';

const SILENCE = Buffer.alloc(160, 0xff);

/** One RTP/PCMU packet; `pt` 101 carries an RFC 4733 event payload instead. */
function rtp(p: { pt: number; seq: number; ts: number; ssrc: number; payload: Buffer }): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = p.pt & 0x7f;
  h.writeUInt16BE(p.seq & 0xffff, 2);
  h.writeUInt32BE(p.ts >>> 0, 4);
  h.writeUInt32BE(p.ssrc >>> 0, 8);
  return Buffer.concat([h, p.payload]);
}

/**
 * A phone's sender: 20 ms frames on `port`; `plan(i)` says, per frame index, which SSRC and
 * sequence the frame carries, whether it is lost on the way, and an optional DTMF event.
 */
function sender(
  port: number,
  plan: (i: number) => { ssrc: number; seq: number; drop?: boolean; dtmf?: { ssrc: number; seq: number } },
): { sock: Socket; stop: () => void; sent: () => number } {
  const sock = createSocket('udp4');
  let i = 0;
  const timer = setInterval(() => {
    const f = plan(i);
    if (!f.drop)
      sock.send(
        rtp({ pt: 0, seq: f.seq, ts: f.seq * 160, ssrc: f.ssrc, payload: SILENCE }),
        port,
        '127.0.0.1',
      );
    if (f.dtmf) {
      // digit 1, end bit, duration 800
      const ev = Buffer.from([1, 0x80 | 10, 0x03, 0x20]);
      sock.send(
        rtp({ pt: 101, seq: f.dtmf.seq, ts: 424242, ssrc: f.dtmf.ssrc, payload: ev }),
        port,
        '127.0.0.1',
      );
    }
    i++;
  }, 20);
  const stop = () => {
    clearInterval(timer);
    sock.close();
  };
  return { sock, stop, sent: () => i };
}

let worker: MediaWorker;
const quality: Array<{ legId: string; state: string; mos: number; lossPct: number }> = [];

before(async () => {
  worker = new MediaWorker({ logger: createLogger('quality-test') });
  await worker.start();
  worker.on((e) => {
    if (e.ev === 'quality') quality.push({ legId: e.legId, state: e.state, mos: e.mos, lossPct: e.lossPct });
  });
});
after(async () => {
  await worker.close();
});

test('a sender that switches SSRC mid-call raises no quality alarm, while one losing a quarter of its packets does', {
  timeout: 60_000,
}, async () => {
  const switching = await worker.openRtp('ssrc:switch', '127.0.0.1');
  const lossy = await worker.openRtp('ssrc:lossy', '127.0.0.1');
  // 1.5 s on SSRC A, DTMF events on their own SSRC and sequence space, then the audio
  // continues on SSRC B numbered from far ahead (a forward jump the old tracker counted as loss).
  const a = sender(switching, (i) => {
    const dtmf = i >= 60 && i < 70 ? { ssrc: 0xd7f0, seq: 30_000 + i } : undefined;
    const f = i < 75 ? { ssrc: 0x1111, seq: 100 + i } : { ssrc: 0x2222, seq: 20_000 + i };
    return dtmf ? { ...f, dtmf } : f;
  });
  // Loss starts only after the other sender has switched, so its alarm comes from a later
  // quality check than the one that saw the switch.
  const b = sender(lossy, (i) => ({ ssrc: 0x3333, seq: 5000 + i, drop: i > 100 && i % 4 === 3 }));
  try {
    const alarm = await until(
      'the lossy sender to raise a quality alarm',
      () => quality.find((q) => q.legId === 'ssrc:lossy' && q.state === 'degraded'),
      { timeoutMs: 20_000, everyMs: 100 },
    );
    assert.ok(alarm.mos < 3.6 && alarm.lossPct > 10, `lossy: mos ${alarm.mos}, loss ${alarm.lossPct} %`);
    assert.ok(a.sent() > 110, `the switch happened before the alarm (${a.sent()} frames sent)`);
    const stats = await worker.request<{ packetsIn: number; lost: number; mos: number }>({
      op: 'stats',
      legId: 'ssrc:switch',
    });
    assert.ok(stats.packetsIn > 100, `switching leg received ${stats.packetsIn}`);
    assert.equal(stats.lost, 0, 'an SSRC switch is not loss');
    assert.ok(stats.mos > 4, `switching leg mos ${stats.mos}`);
    assert.deepEqual(
      quality.filter((q) => q.legId === 'ssrc:switch'),
      [],
      'no quality alarm for the SSRC switch',
    );
  } finally {
    a.stop();
    b.stop();
    await worker.request({ op: 'close', legId: 'ssrc:switch' });
    await worker.request({ op: 'close', legId: 'ssrc:lossy' });
  }
});
