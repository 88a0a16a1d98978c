import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { failure, rig, testHasher } from './test-support.ts';

const hasher = testHasher();
after(() => hasher.close());

test('ensureInitialAdmin() creates admin once, with a 0600 password file and a forced change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-identity-'));
  try {
    const r = rig(hasher);
    const first = await r.service.ensureInitialAdmin({ dataDir: dir });
    assert.ok(first);
    assert.ok(first.password.length >= 20);
    const file = join(dir, 'initial-admin-password');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), first.password);
    const login = await r.service.login({ username: 'admin', password: first.password }, { ip: '127.0.0.1' });
    assert.deepEqual(login.user.roles, ['admin']);
    assert.equal(login.mustChangePassword, true);
    assert.equal(login.mfaSetupRequired, true);

    assert.equal(await r.service.ensureInitialAdmin({ dataDir: dir }), undefined);
    assert.equal((await readFile(file, 'utf8')).trim(), first.password, 'no new password on a later run');
    assert.equal((await r.service.listUsers()).length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('createUser() refuses a taken username regardless of case, and bad names and roles', async () => {
  const r = rig(hasher);
  const { user } = await r.service.createUser(
    { username: 'Ivy', displayName: 'Ivy', roles: ['agent'] },
    { actor: 'a1' },
  );
  assert.equal((r.of('user.created')[0]?.data as { userId: string } | undefined)?.userId, user.id);
  assert.equal(r.of('user.created')[0]?.actor, 'a1');
  const dup = await failure(r.service.createUser({ username: 'ivy', displayName: 'x', roles: ['agent'] }));
  assert.deepEqual([dup.code, dup.status], ['IDENTITY_USERNAME_TAKEN', 409]);
  assert.equal(
    (await failure(r.service.createUser({ username: 'a b', displayName: 'x', roles: ['agent'] }))).code,
    'IDENTITY_INVALID_USERNAME',
  );
  assert.equal(
    (await failure(r.service.createUser({ username: 'jo', displayName: 'x', roles: ['pilot'] }))).code,
    'IDENTITY_ROLE_NOT_FOUND',
  );
  const listed = JSON.stringify(await r.service.listUsers());
  assert.ok(!listed.includes('argon2'), 'no password hash leaves the service');
});

test('createRole() validates permissions against the list and never grants audit.settings', async () => {
  const r = rig(hasher);
  const role = await r.service.createRole({
    id: 'qa-lead',
    permissions: ['tickets.read', 'contacts.monitor'],
  });
  assert.deepEqual(role, {
    id: 'qa-lead',
    description: '',
    permissions: ['tickets.read', 'contacts.monitor'],
    builtin: false,
  });
  assert.equal(
    (await failure(r.service.createRole({ id: 'bad', permissions: ['tickets.delete'] }))).code,
    'IDENTITY_INVALID_ROLE',
  );
  assert.equal(
    (await failure(r.service.createRole({ id: 'sneak', permissions: ['audit.settings'] }))).code,
    'IDENTITY_INVALID_ROLE',
  );
  assert.equal(
    (await failure(r.service.createRole({ id: 'empty', permissions: [] }))).code,
    'IDENTITY_INVALID_ROLE',
  );
  assert.equal(
    (await failure(r.service.createRole({ id: 'admin', permissions: ['users.read'] }))).code,
    'IDENTITY_ROLE_EXISTS',
  );
  assert.equal(
    (await failure(r.service.createRole({ id: 'qa-lead', permissions: ['users.read'] }))).code,
    'IDENTITY_ROLE_EXISTS',
  );
  assert.equal(
    (await failure(r.service.updateRole('agent', { permissions: ['users.read'] }))).code,
    'IDENTITY_INVALID_ROLE',
  );
  assert.deepEqual(
    (await r.service.listRoles()).map((x) => x.id),
    ['agent', 'supervisor', 'admin', 'auditor', 'qa-lead'],
  );
});

test('a custom role grants its permissions live, and cannot be deleted while held', async () => {
  const r = rig(hasher);
  await r.service.createRole({ id: 'viewer', permissions: ['tickets.read'] });
  const { user, oneTimePassword } = await r.service.createUser({
    username: 'kim',
    displayName: 'Kim',
    roles: ['viewer'],
  });
  const { token } = await r.service.login({ username: 'kim', password: oneTimePassword }, { ip: '10.1.1.1' });
  assert.deepEqual([...((await r.service.resolveSession(token))?.permissions ?? [])], ['tickets.read']);
  await r.service.updateRole('viewer', { permissions: ['tickets.read', 'customers.read'] });
  assert.deepEqual(
    [...((await r.service.resolveSession(token))?.permissions ?? [])],
    ['tickets.read', 'customers.read'],
  );
  const inUse = await failure(r.service.deleteRole('viewer'));
  assert.deepEqual([inUse.code, inUse.status], ['IDENTITY_ROLE_IN_USE', 409]);
  await r.service.updateUser(user.id, { roles: ['agent'] }, { actor: 'someone-else' });
  await r.service.deleteRole('viewer');
  assert.deepEqual(
    r.events.filter((e) => e.type.startsWith('role.')).map((e) => e.type),
    ['role.created', 'role.updated', 'role.deleted'],
  );
});

test('updateUser() refuses a change of your own roles and auditor-admin grants by a plain admin', async () => {
  const r = rig(hasher);
  const { user: boss } = await r.service.createUser({
    username: 'boss',
    displayName: 'B',
    roles: ['admin', 'auditor'],
  });
  const { user: adm } = await r.service.createUser({ username: 'adm', displayName: 'A', roles: ['admin'] });
  const { user: x } = await r.service.createUser({ username: 'xen', displayName: 'X', roles: ['agent'] });
  const self = await failure(
    r.service.updateUser(adm.id, { roles: ['admin', 'auditor'] }, { actor: adm.id }),
  );
  assert.deepEqual([self.code, self.status], ['IDENTITY_FORBIDDEN', 403]);
  const grant = await failure(r.service.updateUser(x.id, { roles: ['admin', 'auditor'] }, { actor: adm.id }));
  assert.equal(grant.code, 'IDENTITY_FORBIDDEN');
  const ok = await r.service.updateUser(
    x.id,
    { roles: ['admin', 'auditor'], displayName: 'Xen' },
    { actor: boss.id },
  );
  assert.deepEqual(ok.roles, ['admin', 'auditor']);
  assert.deepEqual(r.of('user.updated').at(-1)?.data, { userId: x.id, fields: ['roles', 'displayName'] });
  assert.equal((await failure(r.service.freeze(adm.id, { actor: adm.id }))).code, 'IDENTITY_FORBIDDEN');
});
