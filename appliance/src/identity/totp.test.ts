import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, base32Encode, hotp, newTotpSecret, otpauthUrl, totp, verifyTotp } from './totp.ts';

const RFC_KEY = Buffer.from('12345678901234567890');

test('totp() matches the RFC 6238 appendix B SHA-1 vectors', () => {
  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, code] of vectors) {
    assert.equal(totp(RFC_KEY, seconds * 1000, 8), code, `T=${seconds}`);
    assert.equal(totp(RFC_KEY, seconds * 1000), code.slice(2), `6 digits at T=${seconds}`);
  }
});

test('hotp() matches the RFC 4226 appendix D vectors', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676'];
  for (const [counter, code] of expected.entries()) assert.equal(hotp(RFC_KEY, counter), code);
});

test('base32 round-trips and decodes the RFC 4648 vector', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32Decode('MZXW6YTBOI').toString(), 'foobar');
  const secret = newTotpSecret();
  assert.equal(secret.length, 32);
  assert.equal(base32Encode(base32Decode(secret)), secret);
  assert.throws(() => base32Decode('abc1'), TypeError);
});

test('verifyTotp() accepts one step of drift either way and nothing further', () => {
  const secret = base32Encode(RFC_KEY);
  const now = 1111111111_000;
  assert.ok(verifyTotp(secret, totp(RFC_KEY, now - 30_000), { nowMs: now }) !== undefined);
  assert.ok(verifyTotp(secret, totp(RFC_KEY, now + 30_000), { nowMs: now }) !== undefined);
  assert.equal(verifyTotp(secret, totp(RFC_KEY, now - 90_000), { nowMs: now }), undefined);
  assert.equal(verifyTotp(secret, '12345', { nowMs: now }), undefined);
});

test('verifyTotp() refuses a code from a step already used (replay)', () => {
  const secret = base32Encode(RFC_KEY);
  const now = 1234567890_000;
  const step = verifyTotp(secret, totp(RFC_KEY, now), { nowMs: now });
  assert.equal(step, Math.floor(1234567890 / 30));
  assert.equal(verifyTotp(secret, totp(RFC_KEY, now), { nowMs: now, lastStep: step }), undefined);
  assert.equal(verifyTotp(secret, totp(RFC_KEY, now - 30_000), { nowMs: now, lastStep: step }), undefined);
});

test('otpauthUrl() names the issuer and account for authenticator apps', () => {
  const url = new URL(otpauthUrl('JBSWY3DPEHPK3PXP', 'ann'));
  assert.equal(url.protocol, 'otpauth:');
  assert.equal(url.host, 'totp');
  assert.equal(decodeURIComponent(url.pathname), '/Branchline:ann');
  assert.equal(url.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP');
  assert.equal(url.searchParams.get('period'), '30');
});
