import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpHeader, SrtpSession } from 'werift';
import { buildRtp, parseRtp } from './rtp.ts';
import { deriveSessionKeys, newSrtpParameters, SRTP_SUITES, SrtpContext, type SrtpSuite } from './srtp.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

test('deriveSessionKeys() matches the RFC 3711 B.3 key derivation test vectors', () => {
  const keys = deriveSessionKeys({
    cryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
    keyBase64: Buffer.concat([
      hex('E1F97A0D3E018BE0D64FA32C06DE4139'),
      hex('0EC675AD498AFEEBB6960B3AABE6'),
    ]).toString('base64'),
  });
  assert.equal(keys.enc.toString('hex'), 'c61e7a93744f39ee10734afe3ff7a087');
  assert.equal(keys.salt.toString('hex'), '30cbbc08863d8c85d49db34a9ae1');
  assert.equal(keys.auth.toString('hex'), 'cebe321f6ff7716b6fd4ab49af256a156d38baa4');
});

const packet = (seq: number, payload = Buffer.alloc(160, 0x55)) =>
  buildRtp({ payloadType: 0, marker: false, sequence: seq, timestamp: seq * 160, ssrc: 0xcafe1234, payload });

for (const [suite, profile] of [
  ['AES_CM_128_HMAC_SHA1_80', 1],
  ['AEAD_AES_128_GCM', 7],
] as const) {
  test(`SrtpContext ${suite} interoperates with werift's SRTP both ways`, () => {
    const p = newSrtpParameters(suite);
    const raw = Buffer.from(p.keyBase64, 'base64');
    const { keyLen } = SRTP_SUITES[suite];
    const key = raw.subarray(0, keyLen);
    const salt = raw.subarray(keyLen);
    const theirs = new SrtpSession({
      keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
      profile,
    });
    const tx = new SrtpContext(p);
    const rx = new SrtpContext(p);
    for (const seq of [65530, 65535, 0, 1, 2]) {
      const plain = packet(seq, Buffer.from(`frame ${seq}`.padEnd(160, '.')));
      const mine = tx.protect(plain);
      assert.notDeepEqual(mine.subarray(12, 172), plain.subarray(12), 'the payload is not sent in clear');
      assert.deepEqual(theirs.decrypt(mine), plain, `werift decrypts ours (seq ${seq})`);
      const h = parseRtp(plain);
      assert.ok(h);
      const header = new RtpHeader({
        payloadType: 0,
        sequenceNumber: seq,
        timestamp: (seq * 160) >>> 0,
        ssrc: 0xcafe1234,
      });
      const out = rx.unprotect(theirs.encrypt(h.payload, header));
      assert.ok(out.ok, `we decrypt werift's (seq ${seq})`);
      assert.deepEqual(out.packet.subarray(12), plain.subarray(12));
    }
  });
}

for (const suite of [
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
  'AEAD_AES_256_GCM',
] as SrtpSuite[]) {
  test(`SrtpContext ${suite} refuses a tampered packet as auth and a repeated one as replay`, () => {
    const p = newSrtpParameters(suite);
    const tx = new SrtpContext(p);
    const rx = new SrtpContext(p);
    const first = tx.protect(packet(100));
    assert.ok(rx.unprotect(first).ok);
    assert.deepEqual(rx.unprotect(first), { ok: false, reason: 'replay' });
    const second = tx.protect(packet(101));
    const bad = Buffer.from(second);
    bad[20] = (bad[20] ?? 0) ^ 1;
    assert.deepEqual(rx.unprotect(bad), { ok: false, reason: 'auth' });
    assert.ok(rx.unprotect(second).ok, 'the genuine packet still passes after a forged one');
    // Out of order within the window is fine, once.
    const p103 = tx.protect(packet(103));
    const p102 = tx.protect(packet(102));
    assert.ok(rx.unprotect(p103).ok);
    assert.ok(rx.unprotect(p102).ok);
    assert.equal(rx.unprotect(p102).ok, false);
    // Older than the 64-packet window.
    for (let s = 104; s < 200; s++) assert.ok(rx.unprotect(tx.protect(packet(s))).ok);
    assert.deepEqual(rx.unprotect(tx.protect(packet(120))), { ok: false, reason: 'replay' });
    // Another key cannot pass.
    assert.deepEqual(new SrtpContext(newSrtpParameters(suite)).unprotect(tx.protect(packet(300))), {
      ok: false,
      reason: 'auth',
    });
  });
}

test('SrtpContext refuses a key of the wrong length with a RangeError', () => {
  assert.throws(
    () =>
      new SrtpContext({
        cryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
        keyBase64: Buffer.alloc(16).toString('base64'),
      }),
    RangeError,
  );
});
