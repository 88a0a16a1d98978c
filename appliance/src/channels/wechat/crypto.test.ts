import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { aesKeyFrom, signatureMatches, wechatDecrypt, wechatEncrypt, wechatSignature } from './crypto.ts';
import { WechatError } from './errors.ts';

const V = JSON.parse(readFileSync(join(import.meta.dirname, 'testdata/vectors.json'), 'utf8'));

test('wechatEncrypt() with the published fixed random prefix reproduces the published ciphertext', () => {
  const e = V.encrypt;
  const key = aesKeyFrom(e.encodingAesKey);
  const out = wechatEncrypt(key, e.plaintext, e.receiverId, { random: Buffer.from(e.random) });
  assert.equal(out, e.ciphertext);
  assert.equal(wechatDecrypt(key, out, e.receiverId), e.plaintext);
});

test('wechatSignature() and wechatDecrypt() reproduce the published callback sample', () => {
  const d = V.decrypt;
  assert.equal(wechatSignature([d.token, d.timestamp, d.nonce, d.encrypt]), d.msgSignature);
  assert.ok(signatureMatches(d.msgSignature.toUpperCase(), [d.nonce, d.token, d.encrypt, d.timestamp]));
  assert.ok(!signatureMatches(`${d.msgSignature.slice(0, -1)}0`, [d.token, d.timestamp, d.nonce, d.encrypt]));
  assert.ok(!signatureMatches('short', [d.token, d.timestamp, d.nonce, d.encrypt]));
  const xml = wechatDecrypt(aesKeyFrom(d.encodingAesKey), d.encrypt, d.receiverId);
  assert.match(xml, new RegExp(`<Content><!\\[CDATA\\[${d.contentOfMsg}\\]\\]></Content>`));
  assert.match(xml, new RegExp(`<MsgId>${d.msgId}</MsgId>`));
});

test('the OA plain signature is SHA-1 over the sorted token, timestamp and nonce (checked against sha1sum)', () => {
  const parts = ['QDG6eK', '1409659589', '263014780'];
  const sorted = [...parts].sort().join('');
  const viaTool = execFileSync('sha1sum', { input: sorted }).toString().split(' ')[0];
  assert.equal(wechatSignature(parts), viaTool);
  assert.equal(sorted, '1409659589263014780QDG6eK');
});

test('wechatEncrypt() pads to 32-byte blocks and openssl decrypts it to the documented layout', () => {
  const encodingAesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  const key = aesKeyFrom(encodingAesKey);
  const random = Buffer.from('0123456789abcdef');
  // 16 + 4 + 8 + 4 = 32 bytes: an exact block still gets a full 32-byte pad.
  const enc = wechatEncrypt(key, '<xml/>xx', 'corp', { random });
  const raw = Buffer.from(enc, 'base64');
  assert.equal(raw.length, 64);
  const plain = execFileSync(
    'openssl',
    [
      'enc',
      '-d',
      '-aes-256-cbc',
      '-nopad',
      '-K',
      key.toString('hex'),
      '-iv',
      key.subarray(0, 16).toString('hex'),
    ],
    { input: raw },
  );
  assert.deepEqual(plain.subarray(0, 16), random);
  assert.equal(plain.readUInt32BE(16), 8);
  assert.equal(plain.subarray(20, 28).toString(), '<xml/>xx');
  assert.equal(plain.subarray(28, 32).toString(), 'corp');
  assert.deepEqual(plain.subarray(32), Buffer.alloc(32, 32));
});

test('wechatDecrypt() refuses a foreign receiver id with WECHAT_RECEIVER_MISMATCH and garbage with WECHAT_DECRYPT_FAILED', () => {
  const key = aesKeyFrom('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C');
  const enc = wechatEncrypt(key, '<xml><A>1</A></xml>', 'wx-right');
  assert.throws(
    () => wechatDecrypt(key, enc, 'wx-wrong'),
    (e: unknown) => e instanceof WechatError && e.code === 'WECHAT_RECEIVER_MISMATCH',
  );
  for (const bad of ['!!!', Buffer.alloc(15).toString('base64'), Buffer.alloc(32, 7).toString('base64')]) {
    assert.throws(
      () => wechatDecrypt(key, bad, 'wx-right'),
      (e: unknown) => e instanceof WechatError && e.code === 'WECHAT_DECRYPT_FAILED',
    );
  }
  assert.throws(() => aesKeyFrom('tooshort'), TypeError);
});
