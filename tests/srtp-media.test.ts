// The real media worker process with an SRTP leg bridged to a plain RTP leg, each
// peer a UDP socket on loopback: what crosses the wire toward the SRTP peer is
// ciphertext (the plain payload is nowhere in it) that decrypts to what the plain
// side sent; RFC 4733 DTMF inside SRTP is detected; forged, replayed and plain
// packets are refused, counted per leg and alarmed once at the threshold.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { createLogger } from '../appliance/src/logging/index.ts';
import type { MediaEvent } from '../appliance/src/voice/media/protocol.ts';
import { buildRtp, buildTelephoneEvent, parseRtp } from '../appliance/src/voice/media/rtp.ts';
import { newSrtpParameters, SrtpContext } from '../appliance/src/voice/media/srtp.ts';
import { MediaWorker } from '../appliance/src/voice/media/supervisor.ts';
import { until } from './support/until.ts';

let worker: MediaWorker;
const events: MediaEvent[] = [];
const sockets: Socket[] = [];

before(async () => {
  worker = new MediaWorker({ logger: createLogger('srtp-media-test') });
  await worker.start();
  worker.on((e) => void events.push(e));
});
after(async () => {
  for (const s of sockets) s.close();
  await worker.close();
});

async function peer(): Promise<{ sock: Socket; port: number; got: Buffer[] }> {
  const sock = createSocket('udp4');
  sockets.push(sock);
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(Buffer.from(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { sock, port: sock.address().port, got };
}

const send = (sock: Socket, port: number, b: Buffer) =>
  new Promise<void>((r) => sock.send(b, port, '127.0.0.1', () => r()));

/** A recognisable 160-byte μ-law frame: its 16-byte marker must never appear on the SRTP side. */
const frame = (n: number) =>
  Buffer.concat([
    Buffer.from(`PLAINTEXT-MARK${String(n % 100).padStart(2, '0')}`),
    Buffer.alloc(144, 0x2a + (n % 7)),
  ]);

test('an SRTP leg sends only ciphertext that decrypts to the plain side’s audio, hears SRTP DTMF, and counts and alarms forged, replayed and plain packets', {
  timeout: 60_000,
}, async () => {
  const phone = await peer();
  const trunk = await peer();
  const ours = newSrtpParameters('AES_CM_128_HMAC_SHA1_80');
  const theirs = newSrtpParameters('AES_CM_128_HMAC_SHA1_80');
  const phoneTx = new SrtpContext(theirs);
  const phoneRx = new SrtpContext(ours);
  const srtpPort = (
    await worker.request<{ port: number }>({
      op: 'open',
      legId: 'srtp:phone',
      kind: 'rtp',
      codec: 'pcmu',
      dtmfPayloadType: 101,
      bind: '127.0.0.1',
      remote: { host: '127.0.0.1', port: phone.port },
      srtp: { send: ours, recv: theirs, alarmAfter: 5 },
    })
  ).port;
  const plainPort = await worker.openRtp('plain:trunk', '127.0.0.1');
  await worker.request({
    op: 'update',
    legId: 'plain:trunk',
    remote: { host: '127.0.0.1', port: trunk.port },
  });
  await worker.request({ op: 'bridge', a: 'srtp:phone', b: 'plain:trunk' });
  try {
    // Plain side → SRTP side: 50 frames.
    for (let i = 0; i < 50; i++)
      await send(
        trunk.sock,
        plainPort,
        buildRtp({
          payloadType: 0,
          marker: false,
          sequence: i,
          timestamp: i * 160,
          ssrc: 0x7777,
          payload: frame(i),
        }),
      );
    await until(
      'the SRTP peer to receive the relayed frames',
      () => (phone.got.length >= 45 ? true : undefined),
      {
        timeoutMs: 10_000,
        everyMs: 50,
      },
    );
    const wire = Buffer.concat(phone.got);
    assert.equal(wire.indexOf('PLAINTEXT-MARK'), -1, 'no plain payload on the wire toward the SRTP peer');
    const opened = phone.got.map((p) => phoneRx.unprotect(p));
    assert.ok(
      opened.every((o) => o.ok),
      'every packet authenticates with the key we offered',
    );
    const payloads = opened.map((o) => (o.ok ? parseRtp(o.packet)?.payload.toString('latin1', 0, 14) : ''));
    assert.ok(
      payloads.every((p) => p === 'PLAINTEXT-MARK'),
      'and decrypts to the plain side’s frames',
    );

    // SRTP side → plain side: audio, then DTMF 5 (RFC 4733) inside SRTP.
    for (let i = 0; i < 20; i++)
      await send(
        phone.sock,
        srtpPort,
        phoneTx.protect(
          buildRtp({
            payloadType: 0,
            marker: false,
            sequence: 1000 + i,
            timestamp: i * 160,
            ssrc: 0x5151,
            payload: frame(i),
          }),
        ),
      );
    for (let i = 0; i < 3; i++)
      await send(
        phone.sock,
        srtpPort,
        phoneTx.protect(
          buildRtp({
            payloadType: 101,
            marker: i === 0,
            sequence: 1020 + i,
            timestamp: 20 * 160,
            ssrc: 0x5151,
            payload: buildTelephoneEvent({ event: 5, end: i === 2, volume: 10, duration: 160 * (i + 1) }),
          }),
        ),
      );
    await until(
      'DTMF 5 from inside SRTP',
      () => events.find((e) => e.ev === 'dtmf' && e.legId === 'srtp:phone' && e.digit === '5'),
      { timeoutMs: 10_000, everyMs: 50 },
    );
    await until(
      'the plain side to hear the decrypted frames',
      () => (trunk.got.filter((p) => p.includes('PLAINTEXT-MARK')).length >= 18 ? true : undefined),
      { timeoutMs: 10_000, everyMs: 50 },
    );
    assert.deepEqual(
      events.filter((e) => e.ev === 'srtp'),
      [],
      'no alarm while all is genuine',
    );

    // Attacks: a plain packet, two forged ones, two replays.
    const heardBefore = trunk.got.length;
    const genuine = phoneTx.protect(
      buildRtp({
        payloadType: 0,
        marker: false,
        sequence: 1100,
        timestamp: 30 * 160,
        ssrc: 0x5151,
        payload: frame(1),
      }),
    );
    await send(phone.sock, srtpPort, genuine);
    await send(phone.sock, srtpPort, genuine);
    await send(phone.sock, srtpPort, genuine);
    await send(
      phone.sock,
      srtpPort,
      buildRtp({
        payloadType: 0,
        marker: false,
        sequence: 1101,
        timestamp: 31 * 160,
        ssrc: 0x5151,
        payload: frame(2),
      }),
    );
    for (const seq of [1102, 1103]) {
      const forged = phoneTx.protect(
        buildRtp({
          payloadType: 0,
          marker: false,
          sequence: seq,
          timestamp: seq * 160,
          ssrc: 0x5151,
          payload: frame(3),
        }),
      );
      forged[40] = (forged[40] ?? 0) ^ 0xff;
      await send(phone.sock, srtpPort, forged);
    }
    const alarm = await until(
      'the SRTP alarm at 5 refused packets',
      () => events.find((e) => e.ev === 'srtp' && e.legId === 'srtp:phone'),
      { timeoutMs: 10_000, everyMs: 50 },
    );
    assert.deepEqual(alarm, { ev: 'srtp', legId: 'srtp:phone', authFailures: 3, replays: 2 });
    const stats = await worker.request<{ srtp?: { suite: string; authFailures: number; replays: number } }>({
      op: 'stats',
      legId: 'srtp:phone',
    });
    assert.deepEqual(stats.srtp, { suite: 'AES_CM_128_HMAC_SHA1_80', authFailures: 3, replays: 2 });
    // Only the one genuine packet went through to the plain side.
    await until('the genuine packet to arrive', () => (trunk.got.length > heardBefore ? true : undefined), {
      timeoutMs: 5000,
      everyMs: 20,
    });
    assert.equal(trunk.got.length, heardBefore + 1, 'refused packets are not forwarded');
  } finally {
    await worker.request({ op: 'close', legId: 'srtp:phone' });
    await worker.request({ op: 'close', legId: 'plain:trunk' });
  }
});
