import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PouchDB } from '../pouch.ts';
import { HqConsole } from './console.ts';
import { type HqCouch, startHqCouch } from './couch.ts';
import { totpCode } from './totp.ts';

let dir: string;
let hq: HqCouch;
let con: HqConsole;
let base: string;

interface Reply {
  status: number;
  json: Record<string, unknown> & { error?: { code: string } };
  headers: Headers;
}

/** A console client with its own cookie and CSRF token. */
class Operator {
  cookie = '';
  csrf = '';
  async call(
    method: string,
    url: string,
    body?: unknown,
    opts: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...(this.cookie ? { cookie: this.cookie } : {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(base + url, {
      method,
      headers: { ...headers, ...opts.headers },
      redirect: 'manual',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    const text = await res.text();
    const json = (text.startsWith('{') ? JSON.parse(text) : {}) as Reply['json'];
    if (typeof json['csrfToken'] === 'string') this.csrf = json['csrfToken'];
    return { status: res.status, json, headers: res.headers };
  }
  signIn(username: string, password: string, totp?: string): Promise<Reply> {
    return this.call('POST', '/api/session', { username, password, ...(totp ? { totp } : {}) });
  }
}

/** The console's clock: each TOTP code is taken one 30 s step later, since a code works once. */
let clock = Date.now();
let adminSecret = '';
function nextCode(): string {
  clock += 30_000;
  return totpCode(adminSecret, clock);
}

const STRONG = 'correct horse battery staple';
let initialPassword: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-auth-'));
  hq = await startHqCouch({ dataDir: dir });
  con = new HqConsole(hq, dir, { auth: { maxFailures: 3, now: () => clock } });
  await con.enrolBranch('A1');
  base = `http://127.0.0.1:${await con.listen(0)}`;
  initialPassword = (await readFile(path.join(dir, 'initial-operator-password'), 'utf8')).trim();
});

after(async () => {
  await con?.close();
  await hq?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HQ console sign-in', () => {
  it('listen() writes a one-time operator password to a 0600 file once, and a second run keeps it', async () => {
    assert.match(initialPassword, /^[A-Za-z0-9_-]{24}$/);
    assert.equal((await stat(path.join(dir, 'initial-operator-password'))).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, 'operators.json'))).mode & 0o777, 0o600);
    assert.equal(await con.ensureInitialOperator(), undefined);
    assert.doesNotMatch(
      await readFile(path.join(dir, 'operators.json'), 'utf8'),
      new RegExp(initialPassword),
    );
  });

  it('refuses every console route without a session: pages redirect to /login, the API answers 401', async () => {
    const anon = new Operator();
    const page = await anon.call('GET', '/');
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login');
    for (const [m, u] of [
      ['GET', '/api/branches'],
      ['GET', '/api/policies'],
      ['GET', '/api/branches/A1/witness'],
      ['GET', '/api/branches/A1/rules'],
      ['GET', '/api/operators'],
    ] as const) {
      const r = await anon.call(m, u);
      assert.equal(r.status, 401, `${m} ${u}`);
      assert.equal(r.json.error?.code, 'HQ_UNAUTHENTICATED');
    }
    const freeze = await anon.call('POST', '/api/branches/A1/freeze', { username: 'mallory' });
    assert.equal(freeze.status, 401);
    const login = await anon.call('GET', '/login');
    assert.equal(login.status, 200);
    assert.match(login.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('gives the same 401 for an unknown operator and a wrong password', async () => {
    const a = await new Operator().signIn('nobody', 'whatever password');
    const b = await new Operator().signIn('admin', 'a wrong password');
    assert.equal(a.status, 401);
    assert.deepEqual(a.json, b.json);
  });

  it('makes the first sign-in replace the one-time password, with the CSRF token required', async () => {
    const op = new Operator();
    const first = await op.signIn('admin', initialPassword);
    assert.equal(first.status, 200);
    assert.equal(first.json['mustChangePassword'], true);
    const cookie = first.headers.get('set-cookie') ?? '';
    for (const attr of ['__Host-hq_session=', 'HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/'])
      assert.ok(cookie.includes(attr), `cookie has ${attr}`);
    const blocked = await op.call('GET', '/api/branches');
    assert.equal(blocked.status, 403);
    assert.equal(blocked.json.error?.code, 'HQ_PASSWORD_CHANGE_REQUIRED');
    const noCsrf = await op.call(
      'POST',
      '/api/password',
      { current: initialPassword, next: STRONG },
      { csrf: false },
    );
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.error?.code, 'HQ_CSRF');
    const weak = await op.call('POST', '/api/password', { current: initialPassword, next: 'short' });
    assert.equal(weak.json.error?.code, 'HQ_WEAK_PASSWORD');
    const changed = await op.call('POST', '/api/password', { current: initialPassword, next: STRONG });
    assert.equal(changed.status, 200);
    // Every operator sets up TOTP before the console opens.
    assert.equal((await op.call('GET', '/api/branches')).json.error?.code, 'HQ_MFA_ENROLMENT_REQUIRED');
    const mfaPage = await (await fetch(`${base}/mfa`, { headers: { cookie: op.cookie } })).text();
    adminSecret = /data-testid="hq-mfa-secret">([A-Z2-7]+)</.exec(mfaPage)?.[1] ?? '';
    assert.equal((await op.call('POST', '/api/mfa', { code: nextCode() })).status, 200);
    assert.equal((await op.call('GET', '/api/branches')).status, 200);
    assert.equal((await new Operator().signIn('admin', initialPassword)).status, 401, 'old password is gone');
  });

  it('removes the one-time password file once the first operator has replaced that password', async () => {
    await assert.rejects(stat(path.join(dir, 'initial-operator-password')), { code: 'ENOENT' });
  });

  it('serves the console to a signed-in operator and refuses writes without the CSRF header or cross-site', async () => {
    const op = new Operator();
    assert.equal((await op.signIn('admin', STRONG, nextCode())).status, 200);
    const page = await op.call('GET', '/');
    assert.equal(page.status, 200);
    const html = await (await fetch(`${base}/`, { headers: { cookie: op.cookie } })).text();
    assert.match(html, /data-testid="hq-operator">Signed in as admin/);
    assert.doesNotMatch(html, /<script(?![^>]*src="\/hq-console\.js")|style=/, 'no inline script or style');

    const noHeader = await op.call('POST', '/api/branches/A1/freeze', { username: 'eve' }, { csrf: false });
    assert.equal(noHeader.status, 403);
    assert.equal(noHeader.json.error?.code, 'HQ_CSRF');
    const crossSite = await op.call(
      'POST',
      '/api/branches/A1/freeze',
      { username: 'eve' },
      { headers: { origin: 'https://evil.example' } },
    );
    assert.equal(crossSite.status, 403);
    const form = await fetch(`${base}/api/branches/A1/freeze`, {
      method: 'POST',
      headers: {
        cookie: op.cookie,
        'x-csrf-token': op.csrf,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'username=eve',
    });
    assert.equal(form.status, 415);
    const inbound = hq.db('b-A1-inbound');
    assert.equal((await inbound.allDocs()).rows.filter((r) => r.id.startsWith('freeze:')).length, 0);

    const ok = await op.call('POST', '/api/branches/A1/freeze', { username: 'eve', reason: 'left the bank' });
    assert.equal(ok.status, 201);
    const doc = await inbound.get(String(ok.json['id']));
    assert.equal(doc['username'], 'eve');
    const audit = await readFile(path.join(dir, 'operator-log.jsonl'), 'utf8');
    assert.match(
      audit,
      /"action":"branch.freeze_issued","actor":"admin","details":\{"branch":"A1","username":"eve"/,
    );
  });

  it('locks an operator out after 3 wrong passwords, even for the right one, and records it', async () => {
    await new Operator().call('GET', '/'); // no effect on the count
    const op = new Operator();
    const add = await (async () => {
      const admin = new Operator();
      await admin.signIn('admin', STRONG, nextCode());
      return admin.call('POST', '/api/operators', { username: 'analyst', password: 'analyst initial pw 1' });
    })();
    assert.equal(add.status, 201);
    assert.equal((await op.signIn('analyst', 'wrong 1')).status, 401);
    assert.equal((await op.signIn('analyst', 'wrong 2')).status, 401);
    const third = await op.signIn('analyst', 'wrong 3');
    assert.equal(third.status, 423);
    assert.equal(third.json.error?.code, 'HQ_LOCKED');
    const right = await op.signIn('analyst', 'analyst initial pw 1');
    assert.equal(right.status, 423, 'the right password does not open a locked account');
    assert.equal(op.cookie, '', 'no session was issued');
    assert.match(
      await readFile(path.join(dir, 'operator-log.jsonl'), 'utf8'),
      /operator.locked_out","actor":"analyst"/,
    );
  });

  it('signs out: the cookie no longer opens the console', async () => {
    const op = new Operator();
    await op.signIn('admin', STRONG, nextCode());
    const cookie = op.cookie;
    assert.equal((await op.call('DELETE', '/api/session')).status, 200);
    op.cookie = cookie;
    assert.equal((await op.call('GET', '/api/branches')).status, 401);
  });

  it('asks every enrolled operator for a TOTP code: a missing, wrong or reused code is refused and counts towards the lockout', async () => {
    const op = new Operator();
    const missing = await op.signIn('admin', STRONG);
    assert.equal(missing.status, 401);
    assert.equal(missing.json.error?.code, 'HQ_MFA_REQUIRED');
    const code = nextCode();
    const wrong = await op.signIn('admin', STRONG, code === '000000' ? '111111' : '000000');
    assert.equal(wrong.json.error?.code, 'HQ_MFA_INVALID');
    assert.equal(op.cookie, '', 'no session without the right code');
    assert.equal((await op.signIn('admin', STRONG, code)).status, 200);
    const replay = await new Operator().signIn('admin', STRONG, code);
    assert.equal(replay.status, 401);
    assert.equal(replay.json.error?.code, 'HQ_MFA_INVALID', 'a code works once');
    assert.equal((await new Operator().signIn('admin', STRONG)).json.error?.code, 'HQ_MFA_REQUIRED');
    // Two failures since the last success; a third locks even a right code out.
    const third = await new Operator().signIn('admin', 'wrong password');
    assert.equal(third.status, 423);
    assert.equal((await new Operator().signIn('admin', STRONG, nextCode())).status, 423);
    clock += 15 * 60_000;
    assert.equal((await new Operator().signIn('admin', STRONG, nextCode())).status, 200);
  });

  it('lets another operator reset a lost authenticator: the operator is signed out, audited, and sets up MFA again', async () => {
    const admin = new Operator();
    await admin.signIn('admin', STRONG, nextCode());
    const added = await admin.call('POST', '/api/operators', { username: 'recover' });
    assert.equal(added.status, 201);
    const oneTime = String(added.json['password']);
    assert.match(oneTime, /^[A-Za-z0-9_-]{24}$/, 'HQ made the one-time password');
    const op = new Operator();
    assert.equal((await op.signIn('recover', oneTime)).json['mustChangePassword'], true);
    await op.call('POST', '/api/password', { current: oneTime, next: 'recover passphrase 1' });
    const secret =
      /data-testid="hq-mfa-secret">([A-Z2-7]+)</.exec(
        await (await fetch(`${base}/mfa`, { headers: { cookie: op.cookie } })).text(),
      )?.[1] ?? '';
    assert.equal((await op.call('POST', '/api/mfa', { code: totpCode(secret, clock) })).status, 200);
    const listed = (await admin.call('GET', '/api/operators')).json['operators'] as Array<{
      username: string;
      mfa: string;
    }>;
    assert.equal(listed.find((o) => o.username === 'recover')?.mfa, 'enabled');
    assert.equal((await op.call('GET', '/api/branches')).status, 200);

    assert.equal((await admin.call('POST', '/api/operators/admin/reset-mfa', {})).status, 400, 'not oneself');
    const reset = await admin.call('POST', '/api/operators/recover/reset-mfa', {});
    assert.equal(reset.status, 200);
    assert.equal(reset.json['sessionsEnded'], 1);
    assert.equal((await op.call('GET', '/api/branches')).status, 401, 'their session ended');
    const again = new Operator();
    assert.equal((await again.signIn('recover', 'recover passphrase 1')).status, 200, 'password alone');
    assert.equal((await again.call('GET', '/api/branches')).json.error?.code, 'HQ_MFA_ENROLMENT_REQUIRED');
    const api = await admin.call('GET', '/api/operator-log');
    assert.deepEqual(api.json['verdict'], { ok: true, entries: (api.json['entries'] as unknown[]).length });
    const [newest, before] = api.json['entries'] as Array<{ seq: number; action: string; actor: string }>;
    assert.deepEqual([newest?.action, newest?.actor], ['operator.signed_in', 'recover'], 'newest first');
    assert.deepEqual([before?.action, before?.seq], ['operator.mfa_reset', (newest?.seq ?? 0) - 1]);
    const log = await con.auth.log.read();
    assert.equal(log.verdict.ok, true);
    assert.ok(
      log.entries.some(
        (e) =>
          e.action === 'operator.mfa_reset' && e.actor === 'admin' && e.details['username'] === 'recover',
      ),
    );
  });

  it('edits a branch document rules and sends release requests to the branch inbound db', async () => {
    const op = new Operator();
    await op.signIn('admin', STRONG, nextCode());
    const bad = await op.call('PUT', '/api/branches/A1/rules', { maxBytes: 10, extra: 1 });
    assert.equal(bad.status, 400);
    const put = await op.call('PUT', '/api/branches/A1/rules', { maxBytes: 8_192, forbiddenFields: ['pan'] });
    assert.equal(put.status, 200);
    assert.deepEqual((await op.call('GET', '/api/branches/A1/rules')).json['rules'], {
      maxBytes: 8_192,
      forbiddenFields: ['pan'],
    });
    const crm = await hq.db('b-A1-crm').get('_design/hq-rules');
    assert.match(String(crm['validate_doc_update']), /"pan"/);
    const req = await op.call('POST', '/api/branches/A1/quarantine/requests', {
      cls: 'tickets',
      docId: 'ticket:x',
      rev: '1-a',
      note: 'rules relaxed',
    });
    assert.equal(req.status, 201);
    const doc = await hq.db('b-A1-inbound').get(String(req.json['id']));
    assert.deepEqual(
      [doc['type'], doc['docId'], doc['note'], doc['by']],
      ['release_request', 'ticket:x', 'rules relaxed', 'admin'],
    );
  });

  it('leaves branch replication to the CouchDB endpoint as it was', async () => {
    const local = new PouchDB(path.join(dir, 'branch-tickets'));
    try {
      await local.put({ _id: 'ticket:r1', f: {} });
      const info = await local.replicate.to(`${hq.url}/b-A1-tickets`);
      assert.equal(info.docs_written, 1);
      assert.equal((await hq.db('b-A1-tickets').get('ticket:r1'))._id, 'ticket:r1');
    } finally {
      await local.close();
    }
  });
});
