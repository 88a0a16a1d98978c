import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, nextTotp, totpCode } from './support/bootstrap.ts';
import { CookieBrowser, type Hop } from './support/browser-jar.ts';
import type { ApiClient } from './support/client.ts';
import { startIdp, type TestIdp } from './support/oidc-idp.ts';
import { type AuditRow, auditRecords, signedInAuditor } from './support/siem.ts';

const ACCOUNTS = {
  ann: { name: 'Ann Agent', groups: ['cc-agents', 'staff'] },
  bob: { name: 'Bob Outsider', groups: ['staff'] },
  sue: { name: 'Sue Supervisor', groups: ['cc-supervisors'] },
  sam: { name: 'Sam Supervisor', groups: ['cc-supervisors'] },
  fay: { name: 'Fay Agent', groups: ['cc-agents'] },
};

let idp: TestIdp;
let app: RunningAppliance;
let cleanup: () => Promise<void>;
/** Signed in by the first test; reads the audit trail for the later ones. */
let auditor: ApiClient;
let admin: ApiClient;

before(async () => {
  idp = await startIdp(ACCOUNTS);
  const data = await tempDataDir();
  cleanup = data.cleanup;
  app = await startAppliance(data.dir, {
    env: {
      BRANCHLINE_OIDC_ISSUER: idp.issuer,
      BRANCHLINE_OIDC_CLIENT_ID: idp.clientId,
      BRANCHLINE_OIDC_CLIENT_SECRET: idp.clientSecret,
      BRANCHLINE_OIDC_SCOPES: 'openid profile groups',
      BRANCHLINE_OIDC_ROLE_MAP: JSON.stringify({ 'cc-agents': 'agent', 'cc-supervisors': ['supervisor'] }),
      BRANCHLINE_OIDC_CA: idp.caPath,
    },
  });
  idp.registerClient(app.base);
});

after(async () => {
  await app?.stop();
  await idp?.close();
  await cleanup?.();
});

const browser = () => new CookieBrowser({ ca: idp.ca });
const isCallback = (l: string) => l.startsWith(`${app.base}/api/auth/oidc/callback`);
const isConsolePage = (l: string) => l.startsWith(`${app.base}/`) && !new URL(l).pathname.startsWith('/api/');

/** Start → the IdP's login form → submit it; stops at the callback or at the console page it leads to. */
async function throughIdp(
  b: CookieBrowser,
  login: string,
  opts: { mfa?: boolean; stop?: (l: string) => boolean } = {},
) {
  const form = await b.follow(`${app.base}/api/auth/oidc/start`);
  assert.equal(form.status, 200, `expected the IdP's login page, got ${form.status} at ${form.url}`);
  assert.match(form.url, new RegExp(`^${idp.issuer}/interaction/`));
  const action = /action="([^"]+)"/.exec(form.text)?.[1] ?? '';
  const fields = new URLSearchParams({ login, ...(opts.mfa ? { mfa: 'yes' } : {}) });
  return b.follow(new URL(action, form.url).href, opts.stop ?? isConsolePage, { form: fields });
}

async function session(b: CookieBrowser) {
  const r = await b.request(`${app.base}/api/auth/session`);
  return JSON.parse(r.text) as {
    signedIn: boolean;
    csrfToken?: string;
    mfaSetupRequired?: boolean;
    mustChangePassword?: boolean;
    user?: { username: string; roles: string[] };
  };
}

const landed = (hop: Hop) => new URL(hop.location ?? 'http://x/').search;

test('an IdP user in a mapped group signs in through the code flow with the mapped role, provisioned and audited', async () => {
  const b = browser();
  const hop = await throughIdp(b, 'ann');
  assert.equal(hop.location, `${app.base}/`);
  const s = await session(b);
  assert.equal(s.signedIn, true);
  assert.equal(s.user?.username, 'ann');
  assert.deepEqual(s.user?.roles, ['agent']);
  assert.equal(s.mustChangePassword, false);
  assert.equal(s.mfaSetupRequired, false);
  // The session is the normal appliance session: an agent API works, an admin one is forbidden.
  assert.equal((await b.request(`${app.base}/api/auth/me`)).status, 200);
  // No password here: ann cannot sign in with one.
  const pw = await browser().request(`${app.base}/api/auth/login`, {
    json: { username: 'ann', password: 'anything at all 123' },
  });
  assert.equal(pw.status, 401);

  ({ admin } = await bootstrapAdmin(app));
  const users = await admin.request('GET', '/api/users?limit=200');
  const ann = (users.json['users'] as Array<{ id: string; username: string; roles: string[] }>).find(
    (u) => u.username === 'ann',
  );
  assert.deepEqual(ann?.roles, ['agent']);
  auditor = await signedInAuditor(app, admin);
  const records = await auditRecords(auditor);
  const signedIn = records.find((r) => r.action === 'auth.sso_signed_in' && r.target === `user:${ann?.id}`);
  assert.ok(signedIn, 'auth.sso_signed_in is audited');
});

test('an IdP user in no mapped group is refused with IDENTITY_SSO_NO_ROLE and gets no session', async () => {
  const b = browser();
  const hop = await throughIdp(b, 'bob');
  assert.equal(landed(hop), '?sso_error=IDENTITY_SSO_NO_ROLE');
  assert.equal((await session(b)).signedIn, false);
  assert.equal(b.cookie(app.base, '__Host-bl_session'), undefined);
});

test('a callback with a tampered state is refused (IDENTITY_SSO_FAILED), and the sign-in cannot be replayed', async () => {
  const b = browser();
  const atCallback = await throughIdp(b, 'ann', { stop: isCallback });
  const genuine = new URL(atCallback.location ?? '');
  assert.ok(genuine.searchParams.get('code'), 'the IdP sent a code');
  const tampered = new URL(genuine);
  tampered.searchParams.set('state', `${genuine.searchParams.get('state')}x`);
  const refused = await b.request(tampered.href);
  assert.equal(refused.status, 302);
  assert.equal(new URL(refused.location ?? '').search, '?sso_error=IDENTITY_SSO_FAILED');
  assert.equal((await session(b)).signedIn, false);
  // The sign-in was used up by the refused attempt: the genuine callback no longer works either.
  const replay = await b.request(genuine.href);
  assert.equal(new URL(replay.location ?? '').search, '?sso_error=IDENTITY_SSO_FAILED');
  assert.equal((await session(b)).signedIn, false);
  // And a callback from a browser that never started a sign-in is refused too.
  const stranger = await browser().request(genuine.href);
  assert.equal(new URL(stranger.location ?? '').search, '?sso_error=IDENTITY_SSO_FAILED');
});

test('back-channel logout from the IdP ends the appliance session at once; RP-initiated logout returns the end-session URL', async () => {
  const b = browser();
  await throughIdp(b, 'ann');
  assert.equal((await b.request(`${app.base}/api/auth/me`)).status, 200);
  // The user signs out at the IdP (its own end-session page, confirmed): it posts a logout token to us.
  const confirm = await b.follow(`${idp.issuer}/session/end?client_id=${idp.clientId}`);
  assert.equal(confirm.status, 200);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)?.[1] ?? '';
  const action = /action="([^"]+)"/.exec(confirm.text)?.[1] ?? '';
  assert.ok(xsrf && action, 'the IdP shows its logout confirmation');
  const done = await b.follow(new URL(action, confirm.url).href, () => true, {
    form: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
  assert.equal(done.location, `${idp.issuer}/session/end/success`);
  // The IdP answers its user only after our back-channel endpoint answered: the session is gone already.
  assert.equal((await b.request(`${app.base}/api/auth/me`)).status, 401);
  const logged = (await auditRecords(auditor)).filter((r) => r.action === 'auth.sso_logged_out');
  assert.equal(logged.length, 1, 'the IdP logout is audited');

  // A forged logout token (not signed by the IdP) is refused and ends nothing.
  const c = browser();
  await throughIdp(c, 'ann');
  const forged = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: idp.issuer, sub: 'ann' })).toString('base64url')}.`;
  const bad = await browser().request(`${app.base}/api/auth/oidc/backchannel-logout`, {
    form: new URLSearchParams({ logout_token: forged }),
  });
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).error.code, 'IDENTITY_SSO_FAILED');
  assert.equal((await c.request(`${app.base}/api/auth/me`)).status, 200);

  // RP-initiated: the appliance's SSO logout ends the session and sends the browser to the IdP.
  const csrf = (await session(c)).csrfToken ?? '';
  const out = await c.request(`${app.base}/api/auth/oidc/logout`, {
    method: 'POST',
    headers: { 'x-csrf-token': csrf },
  });
  assert.equal(out.status, 200);
  const end = new URL(JSON.parse(out.text).endSessionUrl);
  assert.equal(`${end.origin}${end.pathname}`, `${idp.issuer}/session/end`);
  assert.equal(end.searchParams.get('client_id'), idp.clientId);
  assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${app.base}/`);
  assert.equal((await c.request(`${app.base}/api/auth/me`)).status, 401);
});

test('a privileged role needs the TOTP step after SSO unless the IdP asserts MFA (amr)', async () => {
  // First sign-in without MFA at the IdP: the supervisor must enrol TOTP here before anything else.
  const first = browser();
  await throughIdp(first, 'sue');
  const s1 = await session(first);
  assert.deepEqual(s1.user?.roles, ['supervisor']);
  assert.equal(s1.mfaSetupRequired, true);
  const headers = { 'x-csrf-token': s1.csrfToken ?? '' };
  const setup = await first.request(`${app.base}/api/auth/mfa/setup`, { method: 'POST', json: {}, headers });
  const secret = JSON.parse(setup.text).secret as string;
  const confirmed = await first.request(`${app.base}/api/auth/mfa/confirm`, {
    json: { code: totpCode(secret) },
    headers,
  });
  assert.equal(confirmed.status, 204);
  let lastStep = Math.floor(Date.now() / 30_000) + 1;

  // Without amr: no session yet, the TOTP step follows.
  const b = browser();
  const hop = await throughIdp(b, 'sue');
  assert.equal(landed(hop), '?sso=mfa');
  assert.equal((await session(b)).signedIn, false);
  const wrong = await b.request(`${app.base}/api/auth/oidc/mfa`, { json: { code: '000000' } });
  assert.equal(wrong.status, 401);
  assert.equal((await session(b)).signedIn, false);
  const next = await nextTotp(secret, lastStep);
  lastStep = next.step;
  const ok = await b.request(`${app.base}/api/auth/oidc/mfa`, { json: { code: next.code } });
  assert.equal(ok.status, 200, ok.text);
  const s2 = await session(b);
  assert.equal(s2.signedIn, true);
  assert.deepEqual(s2.user?.roles, ['supervisor']);
  assert.equal(s2.mfaSetupRequired, false);

  // With amr containing otp: signed in at once, no TOTP step.
  const m = browser();
  const direct = await throughIdp(m, 'sue', { mfa: true });
  assert.equal(direct.location, `${app.base}/`);
  assert.equal((await session(m)).signedIn, true);

  // A supervisor never enrolled here, with the IdP's MFA: no enrolment demanded either.
  const n = browser();
  await throughIdp(n, 'sam', { mfa: true });
  const s3 = await session(n);
  assert.equal(s3.signedIn, true);
  assert.equal(s3.mfaSetupRequired, false);
});

test('the public config probe tells the sign-in page that SSO is on', async () => {
  const r = await browser().request(`${app.base}/api/auth/oidc/config`);
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.text), { enabled: true });
});

test('freezing an SSO user ends their session at once and the IdP can no longer sign them in (IDENTITY_SSO_FROZEN)', async () => {
  const b = browser();
  await throughIdp(b, 'fay');
  const s = await session(b);
  assert.equal(s.signedIn, true);
  const users = await admin.request('GET', '/api/users?limit=200');
  const fay = (users.json['users'] as Array<{ id: string; username: string }>).find(
    (u) => u.username === 'fay',
  );
  assert.ok(fay);
  assert.equal(
    (await admin.request('POST', `/api/users/${fay.id}/freeze`, { reason: 'left the bank' })).status,
    200,
  );
  assert.equal((await b.request(`${app.base}/api/auth/me`)).status, 401);
  const again = browser();
  const hop = await throughIdp(again, 'fay');
  assert.equal(landed(hop), '?sso_error=IDENTITY_SSO_FROZEN');
  assert.equal((await session(again)).signedIn, false);
  const refused = (await auditRecords(auditor)).filter((r) => r.action === 'auth.sso_refused');
  // The audit API also returns each record's outcome (AuditRow lists only what the SIEM tests read).
  const frozen = refused.filter((r) => r.details?.['reason'] === 'frozen') as Array<
    AuditRow & { outcome?: string }
  >;
  assert.equal(frozen.length, 1);
  assert.equal(frozen[0]?.outcome, 'denied');
});
