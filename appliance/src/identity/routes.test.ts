import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { OpenAPIHono } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import { DomainError } from '../contracts/index.ts';
import type { AppEnv } from '../http/index.ts';
import { identityRoutes } from './routes.ts';
import type { IdentityService } from './service.ts';
import { rig, testHasher } from './test-support.ts';
import { base32Decode, totp } from './totp.ts';

const hasher = testHasher();
after(() => hasher.close());

/** The routes behind a stand-in for the lead's auth middleware and error mapping. */
function appFor(service: IdentityService) {
  const app = new OpenAPIHono<AppEnv>();
  app.onError((err, c) => {
    if (err instanceof DomainError)
      return c.json({ error: { code: err.code, message: err.message } }, err.status as 400);
    return c.json({ error: { code: 'TEST_UNEXPECTED', message: String(err) } }, 500);
  });
  app.use('*', async (c, next) => {
    c.set('clientIp', c.req.header('x-test-ip') ?? '192.0.2.1');
    const sid = getCookie(c, '__Host-bl_session');
    c.set('principal', sid ? await service.resolveSession(sid) : undefined);
    await next();
  });
  app.route('/api', identityRoutes(service));
  return app;
}

type App = ReturnType<typeof appFor>;

function call(app: App, method: string, path: string, opts: { cookie?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.cookie) headers.cookie = opts.cookie;
  const init: RequestInit = { method, headers };
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  return app.request(`/api${path}`, init);
}

async function loginCookie(
  app: App,
  body: Record<string, string>,
): Promise<{ cookie: string; json: Record<string, unknown> }> {
  const res = await call(app, 'POST', '/auth/login', { body });
  assert.equal(res.status, 200, await res.clone().text());
  const set = res.headers.get('set-cookie') ?? '';
  return { cookie: set.split(';')[0] ?? '', json: (await res.json()) as Record<string, unknown> };
}

test('POST /auth/login sets a __Host- session cookie that is Secure, HttpOnly, SameSite=Strict, Path=/', async () => {
  const { service } = rig(hasher);
  const app = appFor(service);
  const { oneTimePassword } = await service.createUser({
    username: 'ann',
    displayName: 'Ann',
    roles: ['agent'],
  });
  const res = await call(app, 'POST', '/auth/login', {
    body: { username: 'ann', password: oneTimePassword },
  });
  assert.equal(res.status, 200);
  const set = res.headers.get('set-cookie') ?? '';
  assert.match(set, /^__Host-bl_session=[A-Za-z0-9_-]{43};/);
  const attrs = set.split(';').map((s) => s.trim());
  for (const a of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Strict'])
    assert.ok(attrs.includes(a), `${a} in ${set}`);
  assert.ok(!/max-age|expires|domain/i.test(set), 'a session cookie without lifetime or domain');
  const body = (await res.json()) as {
    user: Record<string, unknown>;
    csrfToken: string;
    mustChangePassword: boolean;
  };
  assert.equal(body.user.username, 'ann');
  assert.equal(body.mustChangePassword, true);
  assert.ok(body.csrfToken.length >= 32);
  assert.ok(!JSON.stringify(body).includes('argon2') && !('totpSecret' in body.user));
});

test('POST /auth/login answers an unknown user and a wrong password with the same 401 body', async () => {
  const { service } = rig(hasher);
  const app = appFor(service);
  await service.createUser({ username: 'bob', displayName: 'Bob', roles: ['agent'] });
  const unknown = await call(app, 'POST', '/auth/login', {
    body: { username: 'nobody', password: 'whatever-123' },
  });
  const wrong = await call(app, 'POST', '/auth/login', {
    body: { username: 'bob', password: 'whatever-123' },
  });
  assert.equal(unknown.status, 401);
  assert.equal(wrong.status, 401);
  assert.deepEqual(await unknown.json(), await wrong.json());
  assert.equal(unknown.headers.get('set-cookie'), null);
  const extra = await call(app, 'POST', '/auth/login', {
    body: { username: 'bob', password: 'x', admin: true },
  });
  assert.equal(extra.status, 400, 'unknown fields are refused');
});

test('a first admin changes the password, enrols MFA, then manages and freezes users over HTTP', async () => {
  const r = rig(hasher);
  const app = appFor(r.service);
  const { user: admin, oneTimePassword } = await r.service.createUser({
    username: 'root',
    displayName: 'R',
    roles: ['admin'],
  });
  const first = await loginCookie(app, { username: 'root', password: oneTimePassword });
  assert.equal(first.json.mfaSetupRequired, true);
  const blocked = await call(app, 'GET', '/users', { cookie: first.cookie });
  assert.equal(blocked.status, 403, 'setup pending: only /auth/* is open');

  const me = await call(app, 'GET', '/auth/me', { cookie: first.cookie });
  const meBody = (await me.json()) as { permissions: string[]; mustChangePassword: boolean };
  assert.equal(meBody.mustChangePassword, true);
  assert.ok(meBody.permissions.includes('users.manage') && !meBody.permissions.includes('audit.read'));

  const pw = await call(app, 'POST', '/auth/password', {
    cookie: first.cookie,
    body: { currentPassword: oneTimePassword, newPassword: 'correct horse battery' },
  });
  assert.equal(pw.status, 204);
  const setup = await call(app, 'POST', '/auth/mfa/setup', { cookie: first.cookie });
  const { secret } = (await setup.json()) as { secret: string };
  const key = base32Decode(secret);
  const confirm = await call(app, 'POST', '/auth/mfa/confirm', {
    cookie: first.cookie,
    body: { code: totp(key, r.clock.t) },
  });
  assert.equal(confirm.status, 204);

  const created = await call(app, 'POST', '/users', {
    cookie: first.cookie,
    body: { username: 'agent7', displayName: 'Agent 7', roles: ['agent'] },
  });
  assert.equal(created.status, 201);
  const { user: agent, oneTimePassword: agentPw } = (await created.json()) as {
    user: { id: string };
    oneTimePassword: string;
  };
  const agentSession = await loginCookie(app, { username: 'agent7', password: agentPw });
  assert.equal((await call(app, 'GET', '/auth/me', { cookie: agentSession.cookie })).status, 200);
  assert.equal((await call(app, 'GET', '/users', { cookie: agentSession.cookie })).status, 403);

  const frozen = await call(app, 'POST', `/users/${agent.id}/freeze`, {
    cookie: first.cookie,
    body: { reason: 'test' },
  });
  assert.equal(frozen.status, 200);
  assert.equal(((await frozen.json()) as { status: string }).status, 'frozen');
  assert.equal((await call(app, 'GET', '/auth/me', { cookie: agentSession.cookie })).status, 401);
  assert.equal(r.of('user.frozen')[0]?.actor, admin.id);
  assert.equal(r.of('user.frozen')[0]?.source, '192.0.2.1');

  const list = (await (await call(app, 'GET', '/users', { cookie: first.cookie })).json()) as {
    users: unknown[];
  };
  assert.equal(list.users.length, 2);
  assert.ok(!JSON.stringify(list).includes('argon2'));
  const unfrozen = await call(app, 'POST', `/users/${agent.id}/unfreeze`, { cookie: first.cookie });
  assert.equal(unfrozen.status, 200);
  const patched = await call(app, 'PATCH', `/users/${agent.id}`, {
    cookie: first.cookie,
    body: { displayName: 'A7' },
  });
  assert.equal(((await patched.json()) as { displayName: string }).displayName, 'A7');
  const reset = await call(app, 'POST', `/users/${agent.id}/reset-password`, { cookie: first.cookie });
  assert.ok(((await reset.json()) as { oneTimePassword: string }).oneTimePassword.length >= 20);
});

test('role routes validate permissions, and logout clears the cookie and the session', async () => {
  const r = rig(hasher);
  const app = appFor(r.service);
  const { oneTimePassword } = await r.service.createUser({
    username: 'ops',
    displayName: 'O',
    roles: ['admin'],
  });
  const { cookie } = await loginCookie(app, { username: 'ops', password: oneTimePassword });
  // Skip the setup steps for this test: it is about roles, not enrolment.
  const p = await r.service.resolveSession(cookie.split('=')[1] ?? '');
  await r.service.changePassword(p?.userId ?? '', {
    current: oneTimePassword,
    next: 'a long new secret',
    keepSession: p?.sessionId ?? '',
  });
  const { secret } = await r.service.beginMfa(p?.userId ?? '');
  await r.service.confirmMfa(p?.userId ?? '', totp(base32Decode(secret), r.clock.t));

  const bad = await call(app, 'POST', '/roles', { cookie, body: { id: 'x1', permissions: ['tickets.fly'] } });
  assert.equal(bad.status, 400);
  const ok = await call(app, 'POST', '/roles', { cookie, body: { id: 'qa', permissions: ['tickets.read'] } });
  assert.equal(ok.status, 201);
  const put = await call(app, 'PUT', '/roles/qa', {
    cookie,
    body: { permissions: ['tickets.read', 'contacts.monitor'] },
  });
  assert.deepEqual(((await put.json()) as { permissions: string[] }).permissions, [
    'tickets.read',
    'contacts.monitor',
  ]);
  const roles = (await (await call(app, 'GET', '/roles', { cookie })).json()) as {
    roles: Array<{ id: string }>;
  };
  assert.ok(roles.roles.some((x) => x.id === 'qa'));
  assert.equal((await call(app, 'DELETE', '/roles/qa', { cookie })).status, 204);
  assert.equal((await call(app, 'DELETE', '/roles/qa', { cookie })).status, 404);

  const out = await call(app, 'POST', '/auth/logout', { cookie });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie') ?? '', /^__Host-bl_session=;.*Max-Age=0/);
  assert.equal((await call(app, 'GET', '/auth/me', { cookie })).status, 401);
});

test('the identity routes appear in the OpenAPI document', () => {
  const { service } = rig(hasher);
  const doc = identityRoutes(service).getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
  });
  const paths = Object.keys(doc.paths ?? {});
  for (const p of ['/auth/login', '/auth/me', '/users', '/users/{id}/freeze', '/roles/{id}'])
    assert.ok(paths.includes(p), p);
});

test('GET /auth/session answers 200 signedIn:false when signed out and the /auth/me body when signed in, setup pending included', async () => {
  const { service } = rig(hasher);
  const app = appFor(service);
  const none = await call(app, 'GET', '/auth/session');
  assert.equal(none.status, 200);
  assert.deepEqual(await none.json(), { signedIn: false });
  const stale = await call(app, 'GET', '/auth/session', { cookie: '__Host-bl_session=not-a-session' });
  assert.deepEqual(await stale.json(), { signedIn: false });

  const { oneTimePassword } = await service.createUser({
    username: 'bo',
    displayName: 'Bo',
    roles: ['agent'],
  });
  const { cookie } = await loginCookie(app, { username: 'bo', password: oneTimePassword });
  const probe = (await (await call(app, 'GET', '/auth/session', { cookie })).json()) as Record<
    string,
    unknown
  >;
  const me = (await (await call(app, 'GET', '/auth/me', { cookie })).json()) as Record<string, unknown>;
  assert.equal(probe['mustChangePassword'], true);
  assert.deepEqual(probe, { signedIn: true, ...me });

  await call(app, 'POST', '/auth/logout', { cookie });
  assert.deepEqual(await (await call(app, 'GET', '/auth/session', { cookie })).json(), { signedIn: false });
});
