// Directory sign-in against Debian's OpenLDAP slapd, started here in a temp dir
// with TLS from a local CA: mapped and nested groups give roles, a disabled,
// removed or unmapped directory account is frozen at the branch (live session
// and WebSocket end) within 60 s, an unreachable directory leaves sessions
// alone and lets a local admin in (break-glass, audited), and a directory
// whose certificate the configured CA did not issue is refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { loadConfig } from '../appliance/src/config/index.ts';
import { LdapDirectory } from '../appliance/src/identity/directory/ldap.ts';
import { ensureTlsMaterial, type TlsMaterial } from '../appliance/src/system/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { ADMIN_PASSWORD, bootstrapAdmin, nextTotp } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { auditRecords, signedInAuditor } from './support/siem.ts';
import { type Slapd, SUFFIX, startSlapd } from './support/slapd.ts';
import { until } from './support/until.ts';

const SVC_DN = `cn=branchline,ou=services,${SUFFIX}`;
const SVC_PW = 'service account secret 1';
const PEOPLE = `ou=people,${SUFFIX}`;
const GROUPS = `ou=groups,${SUFFIX}`;
const SYNC_SECONDS = 2;

const cleanups: Array<() => Promise<unknown>> = [];
let tmp: string;
let tls: TlsMaterial;
let slapd: Slapd;
let app: RunningAppliance;
let admin: ApiClient;
let adminTotp: { secret: string; lastStep: number };

const person = (uid: string, password: string) => `dn: uid=${uid},${PEOPLE}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid[0]!.toUpperCase()}${uid.slice(1)} Teller
sn: Teller
mail: ${uid}@branch.example
userPassword: ${password}
`;

const group = (cn: string, members: string[]) => `dn: cn=${cn},${GROUPS}
objectClass: groupOfNames
cn: ${cn}
${members.map((m) => `member: ${m}`).join('\n')}
`;
const user = (uid: string) => `uid=${uid},${PEOPLE}`;

async function directoryEnv(ca: string): Promise<Record<string, string>> {
  return {
    BRANCHLINE_HTTPS: 'off',
    BRANCHLINE_DIRECTORY_URL: `ldaps://127.0.0.1:${slapd.ldapsPort}`,
    BRANCHLINE_DIRECTORY_BIND_DN: SVC_DN,
    BRANCHLINE_DIRECTORY_BIND_PASSWORD: SVC_PW,
    BRANCHLINE_DIRECTORY_BASE_DN: SUFFIX,
    BRANCHLINE_DIRECTORY_USER_ATTRIBUTES: 'uid,mail',
    BRANCHLINE_DIRECTORY_CA: ca,
    BRANCHLINE_DIRECTORY_SYNC_SECONDS: String(SYNC_SECONDS),
  };
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bl-dir-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  tls = await ensureTlsMaterial(join(tmp, 'directory'), { hosts: ['127.0.0.1', 'localhost'] });
  slapd = await startSlapd({ caFile: tls.caPath, certFile: tls.certPath, keyFile: tls.keyPath });
  cleanups.push(() => slapd.cleanup());
  await slapd.ldif(
    [
      `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Branch\ndc: branch\n`,
      `dn: ou=policies,${SUFFIX}\nobjectClass: organizationalUnit\nou: policies\n`,
      `dn: cn=default,ou=policies,${SUFFIX}\nobjectClass: device\nobjectClass: pwdPolicy\ncn: default\npwdAttribute: userPassword\npwdLockout: TRUE\n`,
      `dn: ou=services,${SUFFIX}\nobjectClass: organizationalUnit\nou: services\n`,
      `dn: ${SVC_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: branchline\nuserPassword: ${SVC_PW}\n`,
      `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people\n`,
      `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups\n`,
      person('alice', 'alice directory pw 1'),
      person('bob', 'bob directory pw 1'),
      person('carol', 'carol directory pw 1'),
      person('dave', 'dave directory pw 1'),
      person('erin', 'erin directory pw 1'),
      // tellers ⊂ counter ⊂ agents: bob and dave are agents through two levels of nesting.
      group('tellers', [user('bob'), user('dave')]),
      group('counter', [`cn=tellers,${GROUPS}`]),
      group('agents', [user('alice'), user('erin'), `cn=counter,${GROUPS}`]),
      group('canteen', [user('carol')]),
    ].join('\n'),
  );
  const data = await tempDataDir('bl-dir-app-');
  app = await startAppliance(data.dir, { env: await directoryEnv(tls.caPath) });
  cleanups.push(data.cleanup, () => app.stop());
  const boot = await bootstrapAdmin(app);
  admin = boot.admin;
  adminTotp = { secret: boot.secret, lastStep: boot.lastStep };
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

let auditor: ApiClient | undefined;
/** One auditor (local, MFA) for the whole file: signed in once, its session reused. */
async function theAuditor(): Promise<ApiClient> {
  auditor ??= await signedInAuditor(app, admin);
  return auditor;
}

function openSocket(client: ApiClient) {
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/api/ws`, { headers: { cookie: client.cookie } });
  const closed = new Promise<number>((resolve) => ws.once('close', () => resolve(Date.now())));
  return new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
    ws.once('message', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

async function signIn(username: string, password: string) {
  const c = new ApiClient(app.base);
  const r = await c.login(username, password);
  return { c, r };
}

test('group → role mappings: the role must exist, the DN must be one; adding is audited', async () => {
  const badRole = await admin.request('POST', '/api/directory/mappings', {
    groupDn: `cn=agents,${GROUPS}`,
    role: 'no-such-role',
  });
  assert.equal(badRole.status, 400);
  assert.equal(badRole.json['error']?.code, 'IDENTITY_ROLE_NOT_FOUND');
  const badDn = await admin.request('POST', '/api/directory/mappings', { groupDn: 'agents', role: 'agent' });
  assert.equal(badDn.status, 400);
  assert.equal(badDn.json['error']?.code, 'IDENTITY_DIRECTORY_INVALID_GROUP');
  const added = await admin.request('POST', '/api/directory/mappings', {
    groupDn: `CN=Agents, ${GROUPS}`,
    role: 'agent',
  });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  const list = await admin.request('GET', '/api/directory/mappings');
  assert.deepEqual(
    (list.json['mappings'] as Array<{ groupDn: string; role: string }>).map((m) => [m.groupDn, m.role]),
    [[`CN=Agents, ${GROUPS}`, 'agent']],
  );
  // Another mapping, removed again: the list and the audit trail show both.
  const temp = await admin.request('POST', '/api/directory/mappings', {
    groupDn: `cn=canteen,${GROUPS}`,
    role: 'supervisor',
  });
  assert.equal(temp.status, 201);
  assert.equal((await admin.request('DELETE', `/api/directory/mappings/${temp.json['id']}`)).status, 204);
  assert.equal((await admin.request('DELETE', `/api/directory/mappings/${temp.json['id']}`)).status, 404);
  assert.equal((await admin.request('GET', '/api/directory/mappings')).json['mappings'].length, 1);
});

test('a directory user signs in with the mapped role; nested groups count; the password is not kept', async () => {
  const { c, r } = await signIn('alice', 'alice directory pw 1');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.json['user']['roles'], ['agent']);
  assert.equal(r.json['mustChangePassword'], false);
  const me = await c.request('GET', '/api/auth/me');
  assert.equal(me.status, 200);
  assert.ok((me.json['permissions'] as string[]).includes('contacts.handle'));
  // The same account by mail: one user, not a second one.
  const byMail = await signIn('alice@branch.example', 'alice directory pw 1');
  assert.equal(byMail.r.status, 200);
  assert.equal(byMail.r.json['user']['id'], r.json['user']['id']);
  // bob is in tellers, inside counter, inside agents.
  const bob = await signIn('bob', 'bob directory pw 1');
  assert.equal(bob.r.status, 200, JSON.stringify(bob.r.json));
  assert.deepEqual(bob.r.json['user']['roles'], ['agent']);
  // Provisioned as directory accounts: no local password works, not even an empty-ish one.
  const users = await admin.request('GET', '/api/users');
  const names = (users.json['users'] as Array<{ username: string }>).map((u) => u.username);
  assert.ok(names.includes('alice') && names.includes('bob'), names.join(','));
});

test('a wrong password and a user outside the mapped groups are refused with clear codes', async () => {
  const wrong = await signIn('alice', 'not alice password');
  assert.equal(wrong.r.status, 401);
  assert.equal(wrong.r.json['error']?.code, 'IDENTITY_BAD_CREDENTIALS');
  const unknown = await signIn('nobody', 'whatever password 1');
  assert.equal(unknown.r.status, 401);
  assert.deepEqual(unknown.r.json, wrong.r.json);
  const carol = await signIn('carol', 'carol directory pw 1');
  assert.equal(carol.r.status, 403, JSON.stringify(carol.r.json));
  assert.equal(carol.r.json['error']?.code, 'IDENTITY_DIRECTORY_NO_ROLE');
  const names = ((await admin.request('GET', '/api/users')).json['users'] as Array<{ username: string }>).map(
    (u) => u.username,
  );
  assert.ok(!names.includes('carol'), 'no account for a user with no mapped group');
});

test('disabled in slapd → the live session gets 401 and its WebSocket closes within 60 s; removed and unmapped too', async () => {
  const bob = await signIn('bob', 'bob directory pw 1');
  assert.equal(bob.r.status, 200);
  const dave = await signIn('dave', 'dave directory pw 1');
  assert.equal(dave.r.status, 200);
  const alice = await signIn('alice', 'alice directory pw 1');
  assert.equal(alice.r.status, 200);
  const socket = await openSocket(bob.c);
  assert.equal((await bob.c.request('GET', '/api/auth/me')).status, 200);

  // ppolicy's administrative lock: the account is disabled in the directory.
  await slapd.ldif(
    `dn: ${user('bob')}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
    'modify',
  );
  const disabledAt = Date.now();
  const unauthorizedAt = await until(
    'bob’s session refused',
    async () => ((await bob.c.request('GET', '/api/auth/me')).status === 401 ? Date.now() : undefined),
    { timeoutMs: 60_000, everyMs: 100 },
  );
  const closedAt = await socket.closed;
  const seconds = (Math.max(unauthorizedAt, closedAt) - disabledAt) / 1000;
  console.log(
    `# time to freeze after disabling in slapd: ${seconds.toFixed(2)} s (sync every ${SYNC_SECONDS} s)`,
  );
  assert.ok(seconds < 60, `frozen after ${seconds} s`);
  const again = await signIn('bob', 'bob directory pw 1');
  assert.equal(again.r.status, 401);

  // dave's entry is deleted; alice leaves the agents group.
  await slapd.ldif(`dn: ${user('dave')}\nchangetype: delete\n`, 'modify');
  await slapd.ldif(
    `dn: cn=agents,${GROUPS}\nchangetype: modify\ndelete: member\nmember: ${user('alice')}\n`,
    'modify',
  );
  for (const who of [dave, alice]) {
    await until(
      'session refused',
      async () => ((await who.c.request('GET', '/api/auth/me')).status === 401 ? true : undefined),
      { timeoutMs: 60_000, everyMs: 100 },
    );
  }
  const users = (await admin.request('GET', '/api/users')).json['users'] as Array<{
    username: string;
    status: string;
  }>;
  for (const name of ['bob', 'dave', 'alice']) {
    assert.equal(users.find((u) => u.username === name)?.status, 'frozen', name);
  }
  const records = await auditRecords(await theAuditor());
  const frozen = records.filter((r) => r.action === 'user.frozen');
  const revoked = records.filter((r) => r.action === 'directory.user_revoked');
  assert.ok(
    frozen.length >= 3 && frozen.every((r) => r.details?.['reason'] === 'directory'),
    JSON.stringify(frozen),
  );
  assert.deepEqual(revoked.map((r) => [r.details?.['username'], r.details?.['why']]).sort(), [
    ['alice', 'unmapped'],
    ['bob', 'disabled'],
    ['dave', 'removed'],
  ]);
  assert.ok(records.some((r) => r.action === 'directory.mapping_added'));
  assert.ok(records.some((r) => r.action === 'directory.mapping_removed'));
});

test('slapd stopped: a live session continues, a new directory sign-in gets the clear code, a local admin signs in (break-glass, audited)', async () => {
  const erin = await signIn('erin', 'erin directory pw 1');
  assert.equal(erin.r.status, 200, JSON.stringify(erin.r.json));
  await slapd.stop();
  try {
    await until(
      'the sync loop sees the directory down',
      async () =>
        (await admin.request('GET', '/api/directory/status')).json['reachable'] === false ? true : undefined,
      { timeoutMs: 30_000, everyMs: 200 },
    );
    assert.equal((await erin.c.request('GET', '/api/auth/me')).status, 200, 'the session continues');
    const users = (await admin.request('GET', '/api/users')).json['users'] as Array<{
      username: string;
      status: string;
    }>;
    assert.equal(users.find((u) => u.username === 'erin')?.status, 'active');
    const refused = await signIn('erin', 'erin directory pw 1');
    assert.equal(refused.r.status, 503, JSON.stringify(refused.r.json));
    assert.equal(refused.r.json['error']?.code, 'IDENTITY_DIRECTORY_UNAVAILABLE');
    const { code } = await nextTotp(adminTotp.secret, adminTotp.lastStep);
    const local = new ApiClient(app.base);
    const r = await local.login('admin', ADMIN_PASSWORD, code);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    // The auditor (a local account) signed in before the outage: that session goes on too.
    const records = await auditRecords(await theAuditor());
    const glass = records.filter((x) => x.action === 'auth.break_glass');
    assert.ok(
      glass.some((x) => x.details?.['username'] === 'admin'),
      JSON.stringify(records.slice(-10)),
    );
    assert.ok(
      records.some(
        (x) =>
          x.action === 'system.alarm_raised' && x.details?.['alarm'] === 'identity.directory_unreachable',
      ),
    );
    assert.ok(
      records.some((x) => x.action === 'auth.failed' && x.details?.['reason'] === 'directory_unavailable'),
    );
  } finally {
    await slapd.start();
  }
});

test('StartTLS with the right CA works; a directory certificate the configured CA did not issue is refused', async () => {
  // StartTLS (ldap://) through the same code the appliance runs.
  const cfg = loadConfig({
    ...(await directoryEnv(tls.caPath)),
    BRANCHLINE_DIRECTORY_URL: `ldap://127.0.0.1:${slapd.ldapPort}`,
  }).directory!;
  assert.equal(cfg.startTls, true);
  const erin = await new LdapDirectory(cfg).session((s) => s.findUser('erin'));
  assert.equal(erin?.dn, user('erin'));
  assert.ok(erin?.groups.some((g) => g.startsWith('cn=agents,')));

  const other = await ensureTlsMaterial(join(tmp, 'other-ca'), { hosts: ['127.0.0.1'] });
  const wrongCfg = loadConfig({
    ...(await directoryEnv(other.caPath)),
    BRANCHLINE_DIRECTORY_URL: `ldap://127.0.0.1:${slapd.ldapPort}`,
  }).directory!;
  await assert.rejects(
    new LdapDirectory(wrongCfg).session((s) => s.findUser('erin')),
    (e: Error & { fault?: string }) => e.fault === 'certificate',
  );

  // And the appliance over ldaps:// with the other CA: sign-in refused with the clear code, alarmed.
  const data = await tempDataDir('bl-dir-untrusted-');
  const untrusted = await startAppliance(data.dir, { env: await directoryEnv(other.caPath) });
  cleanups.push(data.cleanup, () => untrusted.stop());
  const boot = await bootstrapAdmin(untrusted);
  assert.equal(
    (
      await boot.admin.request('POST', '/api/directory/mappings', {
        groupDn: `cn=agents,${GROUPS}`,
        role: 'agent',
      })
    ).status,
    201,
  );
  const r = await new ApiClient(untrusted.base).login('erin', 'erin directory pw 1');
  assert.equal(r.status, 503, JSON.stringify(r.json));
  assert.equal(r.json['error']?.code, 'IDENTITY_DIRECTORY_UNAVAILABLE');
  const status = await boot.admin.request('GET', '/api/directory/status');
  assert.equal(status.json['reachable'], false);
  assert.match(String(status.json['fault']), /certificate/i);
});
