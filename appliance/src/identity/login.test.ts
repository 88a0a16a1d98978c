import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { failure, rig, testHasher } from './test-support.ts';
import { base32Decode, totp } from './totp.ts';

const hasher = testHasher();
after(() => hasher.close());
const ip = { ip: '10.0.0.5' };

test('login() answers unknown user, wrong password and frozen user with the same IDENTITY_BAD_CREDENTIALS', async () => {
  const r = rig(hasher);
  const { user, oneTimePassword } = await r.service.createUser({
    username: 'ann',
    displayName: 'Ann',
    roles: ['agent'],
  });
  const { user: bob, oneTimePassword: bobPw } = await r.service.createUser({
    username: 'bob',
    displayName: 'Bob',
    roles: ['agent'],
  });
  await r.service.freeze(bob.id, { actor: user.id, reason: 'left' });
  const unknown = await failure(r.service.login({ username: 'nobody', password: oneTimePassword }, ip));
  const wrong = await failure(r.service.login({ username: 'ann', password: 'wrong password!!' }, ip));
  const frozen = await failure(r.service.login({ username: 'bob', password: bobPw }, ip));
  assert.deepEqual(unknown, {
    name: 'IdentityError',
    code: 'IDENTITY_BAD_CREDENTIALS',
    status: 401,
    message: 'Invalid username or password',
  });
  assert.deepEqual(wrong, unknown);
  assert.deepEqual(frozen, unknown);
  assert.deepEqual(
    r.of('auth.failed').map((e) => (e.data as { reason: string }).reason),
    ['bad_credentials', 'bad_credentials', 'frozen'],
  );
  assert.equal(r.of('auth.failed')[0]?.source, '10.0.0.5');
});

test('login() locks the account after 10 failures for 30 minutes, answering IDENTITY_BAD_CREDENTIALS', async () => {
  const r = rig(hasher, { throttle: { capacity: 100 } });
  const { user, oneTimePassword } = await r.service.createUser({
    username: 'cat',
    displayName: 'Cat',
    roles: ['agent'],
  });
  for (let i = 0; i < 9; i++) await failure(r.service.login({ username: 'cat', password: `nope-${i}` }, ip));
  assert.equal(r.of('user.locked_out').length, 0);
  await failure(r.service.login({ username: 'cat', password: 'nope-10' }, ip));
  assert.equal(r.of('user.locked_out').length, 1);
  assert.equal((r.of('user.locked_out')[0]?.data as { userId: string } | undefined)?.userId, user.id);

  const locked = await failure(r.service.login({ username: 'CAT', password: oneTimePassword }, ip));
  assert.equal(locked.code, 'IDENTITY_BAD_CREDENTIALS');
  assert.equal((r.of('auth.failed').at(-1)?.data as { reason: string } | undefined)?.reason, 'locked');

  r.clock.advance(29 * 60_000);
  assert.equal(
    (await failure(r.service.login({ username: 'cat', password: oneTimePassword }, ip))).status,
    401,
  );
  r.clock.advance(60_001);
  const ok = await r.service.login({ username: 'cat', password: oneTimePassword }, ip);
  assert.equal(ok.user.id, user.id);
  assert.equal(ok.user.lockedUntil, null);
});

test('the lockout settings refuse more than 10 failures or less than 30 minutes', () => {
  assert.throws(() => rig(hasher, { maxFailures: 11 }), RangeError);
  assert.throws(() => rig(hasher, { lockoutMinutes: 29 }), RangeError);
});

test('login() throttles per IP with IDENTITY_THROTTLED 429 while other IPs still get through', async () => {
  const r = rig(hasher, { throttle: { capacity: 3, perMinute: 3 } });
  const attempt = (addr: string) =>
    failure(r.service.login({ username: 'ghost', password: 'x'.repeat(12) }, { ip: addr }));
  for (let i = 0; i < 3; i++) assert.equal((await attempt('10.0.0.9')).code, 'IDENTITY_BAD_CREDENTIALS');
  assert.deepEqual(await attempt('10.0.0.9'), {
    name: 'IdentityError',
    code: 'IDENTITY_THROTTLED',
    status: 429,
    message: 'Too many sign-in attempts; try again later',
  });
  assert.equal((await attempt('10.0.0.10')).code, 'IDENTITY_BAD_CREDENTIALS');
  r.clock.advance(20_000);
  assert.equal((await attempt('10.0.0.9')).code, 'IDENTITY_BAD_CREDENTIALS');
  assert.equal(
    r.of('auth.failed').find((e) => (e.data as { reason: string }).reason === 'throttled')?.source,
    '10.0.0.9',
  );
});

test('login() issues a new session id and CSRF token at every sign-in', async () => {
  const r = rig(hasher);
  const { oneTimePassword } = await r.service.createUser({
    username: 'dan',
    displayName: 'Dan',
    roles: ['agent'],
  });
  const a = await r.service.login({ username: 'dan', password: oneTimePassword }, ip);
  const b = await r.service.login({ username: 'dan', password: oneTimePassword }, ip);
  assert.notEqual(a.token, b.token);
  assert.notEqual(a.csrfToken, b.csrfToken);
  assert.equal(Buffer.from(a.token, 'base64url').length, 32);
  assert.equal(a.mustChangePassword, true);
  assert.equal(a.mfaSetupRequired, false);
  assert.equal(r.of('session.started').length, 2);
  // The database holds only the token's hash, so a stolen database yields no live cookie.
  const raw = JSON.stringify(await r.store.list());
  assert.ok(!raw.includes(a.token));
  assert.ok(!raw.includes(oneTimePassword));
});

test('MFA is required for admin: enrol, then a missing code, a wrong code and a replayed code are refused', async () => {
  const r = rig(hasher);
  const { user, oneTimePassword: pw } = await r.service.createUser({
    username: 'eve',
    displayName: 'Eve',
    roles: ['admin'],
  });
  const first = await r.service.login({ username: 'eve', password: pw }, ip);
  assert.equal(first.mfaSetupRequired, true);
  assert.equal((await r.service.resolveSession(first.token))?.mfaSetupRequired, true);

  const { secret, otpauthUrl } = await r.service.beginMfa(user.id);
  assert.match(otpauthUrl, /^otpauth:\/\/totp\//);
  const key = base32Decode(secret);
  assert.equal((await failure(r.service.confirmMfa(user.id, '000000'))).code, 'IDENTITY_BAD_MFA_CODE');
  await r.service.confirmMfa(user.id, totp(key, r.clock.t), { actor: user.id });
  assert.equal(r.of('user.mfa_enrolled').length, 1);
  assert.equal((await r.service.resolveSession(first.token))?.mfaSetupRequired, false);

  const missing = await failure(r.service.login({ username: 'eve', password: pw }, ip));
  assert.deepEqual([missing.code, missing.status], ['IDENTITY_MFA_REQUIRED', 401]);
  const noPwd = await failure(r.service.login({ username: 'eve', password: 'wrong-password' }, ip));
  assert.equal(noPwd.code, 'IDENTITY_BAD_CREDENTIALS', 'MFA_REQUIRED only after the password checked out');
  // The enrolment used this step's code, so it is spent.
  const replay = await failure(
    r.service.login({ username: 'eve', password: pw, totp: totp(key, r.clock.t) }, ip),
  );
  assert.equal(replay.code, 'IDENTITY_BAD_CREDENTIALS');
  r.clock.advance(30_000);
  const code = totp(key, r.clock.t);
  const ok = await r.service.login({ username: 'eve', password: pw, totp: code }, ip);
  assert.equal(ok.mfaSetupRequired, false);
  const again = await failure(r.service.login({ username: 'eve', password: pw, totp: code }, ip));
  assert.equal(again.code, 'IDENTITY_BAD_CREDENTIALS');
  assert.ok(r.of('auth.failed').some((e) => (e.data as { reason: string }).reason === 'mfa'));
  assert.equal((await failure(r.service.beginMfa(user.id))).code, 'IDENTITY_MFA_ALREADY_ENROLLED');
});
