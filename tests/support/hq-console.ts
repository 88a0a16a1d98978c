// HQ console over plain HTTP as an operator would drive it: cookie session, CSRF token, first-run
// password change and TOTP enrolment. Also HQ (auth on) with one enrolled real appliance.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { URI } from 'otpauth';
import { HqConsole, type HqCouch, startHqCouch } from '../../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './appliance.ts';
import { TotpStepper } from './hq-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
export type Json = Record<string, any>;

/** One operator's session with the HQ console (its own cookie and CSRF token). */
export class HqOperator {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async call(method: string, url: string, body?: unknown) {
    const res = await fetch(this.base + url, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    const text = await res.text();
    const json = (text.startsWith('{') ? JSON.parse(text) : {}) as Json;
    if (typeof json['csrfToken'] === 'string') this.csrf = json['csrfToken'];
    return { status: res.status, json, text, headers: res.headers };
  }

  /**
   * First sign-in with a one-time password: replaces it with `next` and sets
   * up TOTP from the secret the MFA page shows; afterwards the console is open.
   */
  async firstSignIn(username: string, oneTime: string, next: string): Promise<TotpStepper> {
    assert.equal((await this.call('POST', '/api/session', { username, password: oneTime })).status, 200);
    assert.equal((await this.call('POST', '/api/password', { current: oneTime, next })).status, 200);
    const page = (await this.call('GET', '/mfa')).text;
    const uri = /data-testid="hq-mfa-uri">([^<]+)</.exec(page)?.[1]?.replace(/&#38;/g, '&') ?? '';
    const codes = new TotpStepper(URI.parse(uri));
    codes.lastAt = Date.now();
    const r = await this.call('POST', '/api/mfa', {
      code: codes.totp?.generate({ timestamp: codes.lastAt }),
    });
    assert.equal(r.status, 200, r.text);
    return codes;
  }

  /** Adds an operator (HQ makes the one-time password) and signs them in for the first time. */
  async addOperator(username: string, next: string): Promise<HqOperator> {
    const made = await this.call('POST', '/api/operators', { username });
    assert.equal(made.status, 201, made.text);
    const op = new HqOperator(this.base);
    await op.firstSignIn(username, String(made.json['password']), next);
    return op;
  }
}

export interface HqWithBranch {
  hqDir: string;
  couch: HqCouch;
  con: HqConsole;
  /** The console's base URL (plain HTTP on 127.0.0.1). */
  consoleUrl: string;
  /** HQ's first operator `admin`, signed in with password + TOTP. */
  admin: HqOperator;
  app: RunningAppliance;
  /** The branch's replication credentials from its enrolment bundle. */
  credentials: { username: string; password: string };
  close(): Promise<void>;
}

/**
 * The embedded HQ with auth on, its console listening, `admin` signed in,
 * and a real appliance enrolled as `branch` (bundle credentials, pinned keys) replicating to it.
 */
export async function startHqWithBranch(branch: string): Promise<HqWithBranch> {
  const hqDir = await mkdtemp(path.join(os.tmpdir(), `bl-hq-${branch}-`));
  const couch = await startHqCouch({ dataDir: hqDir, auth: true });
  const con = new HqConsole(couch, hqDir);
  await con.enrolBranch(branch);
  const consoleUrl = `http://127.0.0.1:${await con.listen(0)}`;
  const admin = new HqOperator(consoleUrl);
  const oneTime = readFileSync(path.join(hqDir, 'initial-operator-password'), 'utf8').trim();
  await admin.firstSignIn('admin', oneTime, 'hq admin passphrase 1');
  const bundleFile = path.join(hqDir, 'enrolment', `${branch}.json`);
  const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { username: string; password: string };
  const tmp = await tempDataDir(`bl-${branch}-`);
  const app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_HQ_URL: couch.url,
      BRANCHLINE_BRANCH_ID: branch,
      BRANCHLINE_HQ_CREDENTIALS_FILE: bundleFile,
      BRANCHLINE_HTTPS: 'off',
    },
  });
  return {
    hqDir,
    couch,
    con,
    consoleUrl,
    admin,
    app,
    credentials: { username: bundle.username, password: bundle.password },
    async close() {
      await app.stop();
      await con.close();
      await couch.close();
      await tmp.cleanup();
      await rm(hqDir, { recursive: true, force: true });
    },
  };
}
