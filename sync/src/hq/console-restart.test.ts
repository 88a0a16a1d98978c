import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PouchDB } from '../pouch.ts';
import { HqConsole } from './console.ts';
import { CONSOLE_STATE_DIR } from './console-state.ts';
import { type HqCouch, startHqCouch } from './couch.ts';
import { sessionKey } from './sessions.ts';
import { totpCode } from './totp.ts';

let dir: string;
let hq: HqCouch;
let con: HqConsole;
let base: string;
const STRONG = 'correct horse battery staple';

interface Reply {
  status: number;
  json: Record<string, unknown> & { error?: { code: string } };
}

/** A console client holding its own cookie and CSRF token. */
class Operator {
  cookie = '';
  csrf = '';
  async call(method: string, url: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = this.cookie ? { cookie: this.cookie } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(base + url, {
      method,
      headers,
      redirect: 'manual',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    const text = await res.text();
    const json = (text.startsWith('{') ? JSON.parse(text) : {}) as Reply['json'];
    if (typeof json['csrfToken'] === 'string') this.csrf = json['csrfToken'];
    return { status: res.status, json };
  }
  signIn(username: string, password: string, totp?: string): Promise<Reply> {
    return this.call('POST', '/api/session', { username, password, ...(totp ? { totp } : {}) });
  }
  /** The raw session id: the cookie's value. */
  get id(): string {
    return this.cookie.slice(this.cookie.indexOf('=') + 1);
  }
}

/** The console's clock: each TOTP code is taken one 30 s step later, since a code works once. */
let clock = Date.now();
let adminSecret = '';
function nextCode(): string {
  clock += 30_000;
  return totpCode(adminSecret, clock);
}

async function start(): Promise<void> {
  hq = await startHqCouch({ dataDir: dir });
  con = new HqConsole(hq, dir, { auth: { maxFailures: 2, now: () => clock } });
  base = `http://127.0.0.1:${await con.listen(0)}`;
}

/** Stops the whole HQ (console and CouchDB stand-in), runs `whileDown`, and starts it again on the same dir. */
async function restart(whileDown?: () => Promise<void>): Promise<void> {
  await con.close();
  await hq.close();
  await whileDown?.();
  await start();
}

async function filesUnder(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

const admin = new Operator();

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-restart-'));
  await start();
  const initial = (await readFile(path.join(dir, 'initial-operator-password'), 'utf8')).trim();
  assert.equal((await admin.signIn('admin', initial)).status, 200);
  assert.equal((await admin.call('POST', '/api/password', { current: initial, next: STRONG })).status, 200);
  const mfaPage = await (await fetch(`${base}/mfa`, { headers: { cookie: admin.cookie } })).text();
  adminSecret = /data-testid="hq-mfa-secret">([A-Z2-7]+)</.exec(mfaPage)?.[1] ?? '';
  assert.equal((await admin.call('POST', '/api/mfa', { code: nextCode() })).status, 200);
  for (const username of ['analyst', 'auditor'])
    assert.equal(
      (await admin.call('POST', '/api/operators', { username, password: `${username} initial pw 1` })).status,
      201,
    );
});

after(async () => {
  await con?.close();
  await hq?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HQ console sessions and lockout across an HQ restart', () => {
  it('keeps a signed-in operator signed in: the same cookie and CSRF token work after a restart', async () => {
    const csrf = admin.csrf;
    await restart();
    const me = await admin.call('GET', '/api/session');
    assert.equal(me.status, 200);
    assert.equal(me.json['username'], 'admin');
    assert.equal(me.json['mustChangePassword'], false);
    assert.equal(me.json['csrfToken'], csrf);
    // A write passes the CSRF check with the old token (404: no such operator), and fails without it.
    const write = await admin.call('POST', '/api/operators/nobody/disable');
    assert.equal(write.json.error?.code, 'HQ_NOT_FOUND');
    admin.csrf = 'stale';
    assert.equal((await admin.call('POST', '/api/operators/nobody/disable')).json.error?.code, 'HQ_CSRF');
    admin.csrf = csrf;
  });

  it('stores no raw session id: the cookie value is in no stored doc and no file of the console database', async () => {
    const op = new Operator();
    assert.equal((await op.signIn('admin', STRONG, nextCode())).status, 200);
    assert.match(op.id, /^[A-Za-z0-9_-]{43}$/);
    let docs = '';
    let files: string[] = [];
    const needles = [op.id, admin.id].map((id) => Buffer.from(id));
    // Read while HQ is down: a running LevelDB renames its files as it compacts.
    await restart(async () => {
      const db = new PouchDB(path.join(dir, CONSOLE_STATE_DIR));
      try {
        docs = JSON.stringify((await db.allDocs({ include_docs: true })).rows);
      } finally {
        await db.close();
      }
      files = await filesUnder(dir);
      for (const f of files) {
        const bytes = await readFile(f);
        for (const n of needles) assert.equal(bytes.indexOf(n), -1, `raw session id in ${f}`);
      }
    });
    assert.ok(docs.includes(sessionKey(op.id)), 'the session is stored under its hash');
    assert.ok(docs.includes(sessionKey(admin.id)));
    for (const id of [op.id, admin.id, op.csrf]) assert.equal(docs.split(id).length - 1, 0);
    assert.ok(files.some((f) => f.includes(CONSOLE_STATE_DIR)));
    assert.equal((await op.call('GET', '/api/session')).status, 200);
  });

  it('keeps a locked operator locked after a restart, with one answer for unknown names and wrong passwords', async () => {
    const unknown = await new Operator().signIn('ghost', 'some password');
    const wrong = await new Operator().signIn('analyst', 'wrong 1');
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json, wrong.json);
    const locked = await new Operator().signIn('analyst', 'wrong 2');
    assert.equal(locked.status, 423);
    assert.equal(locked.json.error?.code, 'HQ_LOCKED');
    await restart();
    const op = new Operator();
    const right = await op.signIn('analyst', 'analyst initial pw 1');
    assert.equal(right.status, 423, 'the right password does not open an account locked before the restart');
    assert.equal(op.cookie, '', 'no session was issued');
    const ghost = await new Operator().signIn('ghost', 'another password');
    assert.equal(ghost.status, 423, 'an unknown name locks the same way, durably');
  });

  it('signing out revokes the session, and the revocation holds after a restart', async () => {
    const op = new Operator();
    const code = nextCode();
    assert.equal((await op.signIn('admin', STRONG, code)).status, 200);
    const cookie = op.cookie;
    assert.equal((await op.call('DELETE', '/api/session')).status, 200);
    await restart();
    const replay = await new Operator().signIn('admin', STRONG, code);
    assert.equal(replay.json.error?.code, 'HQ_MFA_INVALID', 'a used code stays used after a restart');
    op.cookie = cookie;
    const after = await op.call('GET', '/api/session');
    assert.equal(after.status, 401);
    assert.equal(after.json.error?.code, 'HQ_UNAUTHENTICATED');
    assert.equal((await admin.call('GET', '/api/session')).status, 200, 'other sessions are untouched');
  });

  it('disabling an operator ends their sessions at once and for good, and their sign-in gets the wrong-password answer', async () => {
    const auditor = new Operator();
    assert.equal((await auditor.signIn('auditor', 'auditor initial pw 1')).status, 200);
    assert.equal((await auditor.call('GET', '/api/session')).status, 200);
    const self = await admin.call('POST', '/api/operators/admin/disable');
    assert.equal(self.status, 400, 'an operator cannot disable themself');
    const dis = await admin.call('POST', '/api/operators/auditor/disable');
    assert.equal(dis.status, 200);
    assert.equal(dis.json['sessionsEnded'], 1);
    assert.equal((await auditor.call('GET', '/api/session')).status, 401);
    await restart();
    assert.equal((await auditor.call('GET', '/api/session')).status, 401);
    const listed = (await admin.call('GET', '/api/operators')).json['operators'] as Array<{
      username: string;
      disabled: boolean;
      disabledBy?: string;
    }>;
    const listedAuditor = listed.find((o) => o.username === 'auditor');
    assert.equal(listedAuditor?.disabled, true, 'listed as disabled after a restart');
    assert.equal(listedAuditor?.disabledBy, 'admin');
    assert.equal(listed.find((o) => o.username === 'admin')?.disabled, false);
    const again = await new Operator().signIn('auditor', 'auditor initial pw 1');
    const unknown = await new Operator().signIn('nobody', 'some password');
    assert.equal(again.status, 401);
    assert.deepEqual(again.json, unknown.json);
    assert.match(
      await readFile(path.join(dir, 'operator-log.jsonl'), 'utf8'),
      /"action":"operator.disabled","actor":"admin","details":\{"username":"auditor","sessionsEnded":1\}/,
    );
    // Another operator can let them back in; that is logged too.
    assert.equal((await admin.call('POST', '/api/operators/auditor/enable', {})).status, 200);
    assert.equal((await new Operator().signIn('auditor', 'auditor initial pw 1')).status, 200);
    assert.match(
      await readFile(path.join(dir, 'operator-log.jsonl'), 'utf8'),
      /"action":"operator.enabled","actor":"admin","details":\{"username":"auditor"\}/,
    );
  });
});
