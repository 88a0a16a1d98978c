import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSrtpParameters } from './media/srtp.ts';
import { buildAudioSdp, parseAudioSdp, parseCryptoLine } from './sip/sdp.ts';
import { acceptAnswer, answerOffer, makeOffer, type SdesContext } from './srtp-policy.ts';

const KEY80 = newSrtpParameters('AES_CM_128_HMAC_SHA1_80').keyBase64;
const KEYGCM = newSrtpParameters('AEAD_AES_256_GCM').keyBase64;

const offer = (profile: string, crypto: string[]) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio 4000 ${profile} 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    ...crypto,
    '',
  ].join('\r\n');

const ctx = (policy: SdesContext['policy'], secure = true): SdesContext => ({
  policy,
  secure,
  alarmAfter: 50,
});

test('parseAudioSdp() reads RTP/SAVP and every usable a=crypto line; bad keys, unknown suites and MKIs are left out', () => {
  const o = parseAudioSdp(
    offer('RTP/SAVP', [
      `a=crypto:1 AEAD_AES_256_GCM inline:${KEYGCM}`,
      `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2^31`,
      `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}|2^20|1:4`,
      'a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=',
      `a=crypto:5 F8_128_HMAC_SHA1_80 inline:${KEY80}`,
    ]),
  );
  assert.ok(o);
  assert.equal(o.profile, 'RTP/SAVP');
  assert.deepEqual(
    o.crypto.map((c) => [c.tag, c.params.cryptoSuite]),
    [
      [1, 'AEAD_AES_256_GCM'],
      [2, 'AES_CM_128_HMAC_SHA1_80'],
    ],
  );
  assert.equal(parseCryptoLine('a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:abc'), undefined);
});

test('answerOffer() prefers AES_CM_128_HMAC_SHA1_80 with a fresh key and answers RTP/SAVP with it', () => {
  const o = parseAudioSdp(
    offer('RTP/SAVP', [
      `a=crypto:1 AEAD_AES_256_GCM inline:${KEYGCM}`,
      `a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`,
    ]),
  );
  assert.ok(o);
  const a = answerOffer(o, ctx('optional'));
  assert.ok(a.ok && a.local && a.srtp);
  assert.equal(a.local.tag, 7);
  assert.equal(a.local.params.cryptoSuite, 'AES_CM_128_HMAC_SHA1_80');
  assert.notEqual(a.local.params.keyBase64, KEY80, 'our key is our own');
  assert.equal(a.srtp.recv?.keyBase64, KEY80);
  const sdp = buildAudioSdp({
    host: '127.0.0.1',
    port: 5000,
    codec: 'pcmu',
    dtmfPayloadType: 101,
    sessionId: 1,
    crypto: a.local,
  });
  assert.match(sdp, /^m=audio 5000 RTP\/SAVP 0 101$/m);
  assert.match(
    sdp,
    new RegExp(
      `^a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:${a.local.params.keyBase64.replace(/[+/]/g, '\\$&')}$`,
      'm',
    ),
  );
  // Only GCM offered: taken when supported.
  const gcm = answerOffer(
    parseAudioSdp(offer('RTP/SAVP', [`a=crypto:1 AEAD_AES_256_GCM inline:${KEYGCM}`])) ?? o,
    ctx('required'),
  );
  assert.ok(gcm.ok && gcm.local?.params.cryptoSuite === 'AEAD_AES_256_GCM');
});

test('answerOffer() refuses plain RTP for a required account, SDES over UDP/TCP, and RTP/SAVP when SRTP is off', () => {
  const plain = parseAudioSdp(offer('RTP/AVP', []));
  const savp = parseAudioSdp(offer('RTP/SAVP', [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`]));
  assert.ok(plain && savp);
  assert.deepEqual(answerOffer(plain, ctx('required')), { ok: false, code: 'VOICE_SRTP_REQUIRED' });
  assert.deepEqual(answerOffer(savp, ctx('optional', false)), { ok: false, code: 'VOICE_SDES_NOT_OVER_TLS' });
  assert.deepEqual(answerOffer(savp, ctx('off')), { ok: false, code: 'VOICE_SRTP_OFF' });
  assert.deepEqual(answerOffer(plain, ctx('optional')), { ok: true, local: undefined, srtp: undefined });
  // Best-effort SDES on RTP/AVP is used when allowed, ignored when off.
  const avpCrypto = parseAudioSdp(offer('RTP/AVP', [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`]));
  assert.ok(avpCrypto);
  const best = answerOffer(avpCrypto, ctx('optional'));
  assert.ok(best.ok && best.local?.savp === false);
  assert.deepEqual(answerOffer(avpCrypto, ctx('off')), { ok: true, local: undefined, srtp: undefined });
});

test('makeOffer() offers RTP/SAVP to a required phone only over TLS, and acceptAnswer() refuses a plain answer to it', () => {
  assert.deepEqual(makeOffer(ctx('required', false)), { ok: false, code: 'VOICE_SDES_NOT_OVER_TLS' });
  assert.deepEqual(makeOffer(ctx('optional', false)), { ok: true, local: undefined, srtp: undefined });
  const o = makeOffer(ctx('required'));
  assert.ok(o.ok && o.local?.savp && o.srtp && !o.srtp.recv);
  const plainAnswer = parseAudioSdp(offer('RTP/AVP', []));
  assert.ok(plainAnswer);
  assert.deepEqual(acceptAnswer(plainAnswer, o.local, ctx('required')), {
    ok: false,
    code: 'VOICE_SRTP_REQUIRED',
  });
  const keyed = parseAudioSdp(offer('RTP/SAVP', [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY80}`]));
  assert.ok(keyed);
  const r = acceptAnswer(keyed, o.local, ctx('required'));
  assert.ok(r.ok && r.srtp?.recv?.keyBase64 === KEY80 && r.srtp.send === o.local.params);
  // Optional: a phone that answers plain gets plain RTP.
  const opt = makeOffer(ctx('optional'));
  assert.ok(opt.ok && opt.local && !opt.local.savp);
  assert.deepEqual(acceptAnswer(plainAnswer, opt.local, ctx('optional')), { ok: true, srtp: null });
});
