import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { MemoryDocStore } from '../storage/index.ts';
import { rig, testHasher } from './test-support.ts';

const hasher = testHasher();
after(() => hasher.close());
const ip = { ip: '10.0.0.7' };

async function signedIn(r: ReturnType<typeof rig>, username = 'ann', roles = ['agent']) {
  const { user, oneTimePassword } = await r.service.createUser({ username, displayName: username, roles });
  const login = await r.service.login({ username, password: oneTimePassword }, ip);
  return { user, password: oneTimePassword, token: login.token };
}

async function sessionDocs(store: MemoryDocStore) {
  return store.list<{ lastSeenAt: string; userId: string }>({ prefix: 'session:' });
}

test('resolveSession() ends a session idle past 15 minutes and keeps one in use', async () => {
  const r = rig(hasher);
  const { user, token } = await signedIn(r);
  const p = await r.service.resolveSession(token);
  assert.equal(p?.userId, user.id);
  assert.deepEqual([...(p?.permissions ?? [])].sort(), [
    'contacts.handle',
    'customers.read',
    'tickets.read',
    'tickets.write',
  ]);
  for (let i = 0; i < 3; i++) {
    r.clock.advance(14 * 60_000);
    assert.ok(await r.service.resolveSession(token), `still alive after use ${i}`);
  }
  r.clock.advance(15 * 60_000 + 1);
  assert.equal(await r.service.resolveSession(token), undefined);
  assert.equal((await sessionDocs(r.store)).length, 0);
  assert.equal((r.of('session.ended')[0]?.data as { reason: string } | undefined)?.reason, 'idle');
});

test('resolveSession() writes lastSeen to the store at most once per minute', async () => {
  const r = rig(hasher);
  const { token } = await signedIn(r);
  const stored = async () => (await sessionDocs(r.store))[0]?.lastSeenAt;
  const t0 = await stored();
  r.clock.advance(30_000);
  await r.service.resolveSession(token);
  assert.equal(await stored(), t0);
  r.clock.advance(30_000);
  await r.service.resolveSession(token);
  assert.equal(await stored(), new Date(r.clock.t).toISOString());
});

test('a session survives a restart of the service on the same store, idle timer included', async () => {
  const r = rig(hasher);
  const { token } = await signedIn(r);
  const again = rig(hasher, {}, r.store);
  again.clock.t = r.clock.t + 60_000;
  assert.ok(await again.service.resolveSession(token));
  again.clock.advance(16 * 60_000);
  assert.equal(await again.service.resolveSession(token), undefined);
});

test('logout() deletes the session server-side so the cookie no longer resolves', async () => {
  const r = rig(hasher);
  const { token } = await signedIn(r);
  const p = await r.service.resolveSession(token);
  assert.ok(p);
  assert.equal(await r.service.logout(p.sessionId, { actor: p.userId }), true);
  assert.equal(await r.service.resolveSession(token), undefined);
  assert.equal(await r.service.logout(p.sessionId), false);
  const ended = r.of('session.ended')[0];
  assert.deepEqual(ended?.data, { userId: p.userId, sessionId: p.sessionId, reason: 'logout' });
  assert.ok(!JSON.stringify(r.events).includes(token), 'events never carry the cookie token');
});

test('freeze() kills every session of the user at once and refuses new sign-ins', async () => {
  const r = rig(hasher);
  const admin = await signedIn(r, 'root', ['agent']);
  const { user, password, token } = await signedIn(r, 'fay');
  const second = await r.service.login({ username: 'fay', password }, ip);
  await r.service.freeze(user.id, { actor: admin.user.id, reason: 'investigation', ip: '10.0.0.1' });
  assert.equal(await r.service.resolveSession(token), undefined);
  assert.equal(await r.service.resolveSession(second.token), undefined);
  assert.ok(await r.service.resolveSession(admin.token), 'other users keep their sessions');
  const frozen = r.of('user.frozen')[0];
  assert.deepEqual(frozen?.data, { userId: user.id, username: 'fay', reason: 'investigation' });
  assert.equal(frozen?.actor, admin.user.id);
  assert.equal(frozen?.source, '10.0.0.1');
  const ended = r.of('session.ended').filter((e) => (e.data as { userId: string }).userId === user.id);
  assert.deepEqual(
    ended.map((e) => (e.data as { reason: string }).reason),
    ['frozen', 'frozen'],
  );
  assert.equal((await r.service.getUser(user.id)).status, 'frozen');

  await r.service.unfreeze(user.id, { actor: admin.user.id });
  assert.ok(await r.service.login({ username: 'fay', password }, ip));
  assert.equal(r.of('user.unfrozen').length, 1);
});

test('changePassword() clears mustChangePassword and ends the other sessions only', async () => {
  const r = rig(hasher);
  const { user, password, token } = await signedIn(r, 'gil');
  const other = await r.service.login({ username: 'gil', password }, ip);
  const mine = await r.service.resolveSession(token);
  assert.equal(mine?.mustChangePassword, true);
  const weak = r.service.changePassword(user.id, { current: password, next: 'short' });
  await assert.rejects(weak, { code: 'IDENTITY_WEAK_PASSWORD' });
  await assert.rejects(r.service.changePassword(user.id, { current: password, next: 'gil' }), {
    code: 'IDENTITY_WEAK_PASSWORD',
  });
  await assert.rejects(
    r.service.changePassword(user.id, { current: 'not-it-at-all', next: 'a brand new pass' }),
    {
      code: 'IDENTITY_BAD_CREDENTIALS',
    },
  );
  await r.service.changePassword(user.id, {
    current: password,
    next: 'a brand new pass',
    keepSession: mine?.sessionId ?? '',
  });
  assert.equal((await r.service.resolveSession(token))?.mustChangePassword, false);
  assert.equal(await r.service.resolveSession(other.token), undefined);
  assert.equal(r.of('user.password_changed').length, 1);
  await assert.rejects(r.service.login({ username: 'gil', password }, ip), {
    code: 'IDENTITY_BAD_CREDENTIALS',
  });
  assert.ok(await r.service.login({ username: 'gil', password: 'a brand new pass' }, ip));
});

test('resetPassword() sets a new one-time password, forces a change and ends sessions', async () => {
  const r = rig(hasher);
  const { user, token } = await signedIn(r, 'hal');
  const otp = await r.service.resetPassword(user.id, { actor: 'admin-1' });
  assert.ok(otp.length >= 20);
  assert.equal(await r.service.resolveSession(token), undefined);
  const again = await r.service.login({ username: 'hal', password: otp }, ip);
  assert.equal(again.mustChangePassword, true);
});

test('sessionPrincipal() re-checks a session by handle without refreshing its idle timer', async () => {
  const r = rig(hasher);
  const { token } = await signedIn(r);
  const p = await r.service.resolveSession(token);
  assert.ok(p);
  assert.equal(await r.service.sessionPrincipal(token), undefined, 'the cookie token is not a handle');
  r.clock.advance(10 * 60_000);
  assert.equal((await r.service.sessionPrincipal(p.sessionId))?.userId, p.userId);
  r.clock.advance(5 * 60_000 + 1);
  assert.equal(await r.service.sessionPrincipal(p.sessionId), undefined, 'peeking did not keep it alive');
  assert.equal(await r.service.resolveSession(token), undefined);
});

test('a request touching the session while logout or freeze runs cannot bring the session back', async () => {
  const r = rig(hasher);
  const admin = await signedIn(r, 'root', ['agent']);
  for (const end of ['logout', 'freeze'] as const) {
    const { user, token } = await signedIn(r, `race-${end}`);
    const p = await r.service.resolveSession(token);
    assert.ok(p);
    r.clock.advance(61_000); // the next touch persists lastSeen (a store write racing the delete)
    const ending =
      end === 'logout'
        ? r.service.logout(p.sessionId, { actor: user.id })
        : r.service.freeze(user.id, { actor: admin.user.id });
    const touches = Array.from({ length: 5 }, () => r.service.resolveSession(token));
    await Promise.all([ending, ...touches]);
    const left = (await sessionDocs(r.store)).filter((s) => s.userId === user.id);
    assert.equal(left.length, 0, `${end}: the session document is gone`);
    assert.equal(await r.service.resolveSession(token), undefined, `${end}: the cookie no longer resolves`);
  }
});
