import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { HQ_CONSOLE_JS } from './client-script.ts';
import type { HqConsole } from './console.ts';
import { HqError } from './errors.ts';
import { routeFleet } from './fleet-routes.ts';
import { onlyFields, readJson, sendJson, stringField } from './http-util.ts';
import { renderLogPage } from './log-page.ts';
import { renderLoginPage } from './login-page.ts';
import { renderMfaPage } from './mfa-page.ts';
import { renderHqPage } from './page.ts';
import { routeRecords } from './record-routes.ts';
import type { OperatorSession } from './sessions.ts';
import { totpQrSvg, totpUri } from './totp.ts';
import type { HqRules } from './validation.ts';

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

function html(res: http.ServerResponse, body: string): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function rulesOf(body: Record<string, unknown>): HqRules {
  onlyFields(body, ['maxBytes', 'forbiddenFields']);
  const rules: HqRules = {};
  const { maxBytes, forbiddenFields } = body;
  if (maxBytes !== undefined) {
    if (
      typeof maxBytes !== 'number' ||
      !Number.isInteger(maxBytes) ||
      maxBytes < 1_024 ||
      maxBytes > 16 * 1024 * 1024
    )
      throw new HqError('HQ_BAD_REQUEST', 'maxBytes must be an integer from 1024 to 16777216');
    rules.maxBytes = maxBytes;
  }
  if (forbiddenFields !== undefined) {
    if (
      !Array.isArray(forbiddenFields) ||
      forbiddenFields.length > 100 ||
      !forbiddenFields.every((f) => typeof f === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(f))
    )
      throw new HqError('HQ_BAD_REQUEST', 'forbiddenFields must be a list of field names');
    rules.forbiddenFields = forbiddenFields as string[];
  }
  return rules;
}

/**
 * The console's routes once HqAuth has let the request through (`session` is
 * 'public' only for the sign-in page and its script).
 */
export async function routeConsole(
  con: HqConsole,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: { url: URL; session: OperatorSession | 'public' },
): Promise<void> {
  const { url, session } = ctx;
  const method = req.method ?? 'GET';
  const key = `${method} ${url.pathname}`;
  if (key === 'GET /login') return html(res, renderLoginPage());
  if (key === 'GET /healthz') return sendJson(res, 200, { status: 'ok' });
  if (key === 'GET /hq-console.js') {
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    res.end(HQ_CONSOLE_JS);
    return;
  }
  if (session === 'public') throw new HqError('HQ_NOT_FOUND', 'Not found', { status: 404 });
  const operator = session.username;
  if (key === 'GET /') {
    const rows = await Promise.all(con.branches().map((b) => con.branchView(b)));
    const rules = Object.fromEntries(
      await Promise.all(rows.map(async (b) => [b.branch, await con.rules(b.branch)])),
    );
    const operators = await con.auth.accounts.list();
    return html(res, renderHqPage(rows, await con.policies(), { operator, rules, operators }));
  }
  if (await routeFleet(con, req, res, url)) return;
  if (await routeRecords(con, req, res, { url, operator })) return;
  if (key === 'GET /mfa') {
    if ((await con.auth.accounts.mfaState(operator)) === 'enabled')
      return html(res, renderMfaPage({ username: operator, enrolled: true }));
    const secret = await con.auth.accounts.beginMfa(operator);
    const uri = totpUri(secret, operator);
    return html(
      res,
      renderMfaPage({ username: operator, enrolled: false, secret, uri, qrSvg: await totpQrSvg(uri) }),
    );
  }
  if (key === 'POST /api/mfa') {
    const body = await readJson(req);
    onlyFields(body, ['code']);
    await con.auth.accounts.confirmMfa(operator, stringField(body, 'code', 16).replace(/\s/g, ''));
    await con.auth.log.record('operator.mfa_enrolled', operator);
    return sendJson(res, 200, { username: operator, mfa: 'enabled' });
  }
  if (key === 'GET /log') {
    const { entries, verdict } = await con.auth.log.read();
    return html(res, renderLogPage(entries, verdict));
  }
  if (key === 'GET /api/operator-log') {
    const { entries, verdict } = await con.auth.log.read();
    return sendJson(res, 200, { verdict, entries: entries.reverse() });
  }
  if (key === 'POST /api/branches') {
    const body = await readJson(req);
    onlyFields(body, ['branch', 'name']);
    const issued = await con.enrolment.add(
      { branch: stringField(body, 'branch', 32), name: stringField(body, 'name', 100) },
      operator,
    );
    // The log names the branch and the policy, never the bundle's secret.
    await con.auth.log.record('branch.added', operator, {
      branch: issued.branch,
      name: issued.name,
      policyVersion: issued.policyVersion,
      rotated: issued.rotated,
    });
    return sendJson(res, 201, issued);
  }
  if (key === 'POST /api/policy-changes') {
    const body = await readJson(req);
    onlyFields(body, ['branch', 'cls', 'field', 'rule']);
    const branch = stringField(body, 'branch', 32);
    const change = {
      cls: stringField(body, 'cls', 32),
      field: stringField(body, 'field', 64),
      rule: stringField(body, 'rule', 16),
    };
    const issued = await con.enrolment.changeRule(branch, change, operator);
    await con.auth.log.record('branch.policy_published', operator, {
      branch,
      version: issued.version,
      ...change,
    });
    return sendJson(res, 201, issued);
  }
  if (key === 'GET /api/branches')
    return sendJson(res, 200, { branches: await Promise.all(con.branches().map((b) => con.branchView(b))) });
  if (key === 'GET /api/policies') return sendJson(res, 200, { policies: await con.policies() });
  if (key === 'GET /api/operators') return sendJson(res, 200, { operators: await con.auth.accounts.list() });
  if (key === 'POST /api/operators') {
    const body = await readJson(req);
    onlyFields(body, ['username', 'password']);
    const username = stringField(body, 'username', 32);
    // Without a password HQ makes a one-time one and answers it this once.
    const made = body['password'] === undefined ? randomBytes(18).toString('base64url') : undefined;
    await con.auth.accounts.add(username, made ?? stringField(body, 'password', 256), operator);
    await con.auth.log.record('operator.created', operator, { username });
    return sendJson(res, 201, { username, ...(made ? { password: made } : {}) });
  }
  const act = /^\/api\/operators\/([a-z0-9._-]{1,32})\/(enable|reset-mfa)$/.exec(url.pathname);
  if (method === 'POST' && act?.[1]) {
    onlyFields(await readJson(req), []);
    if (act[2] === 'enable') {
      await con.auth.enableOperator(act[1], operator);
      return sendJson(res, 200, { username: act[1], disabled: false });
    }
    const sessionsEnded = await con.auth.resetOperatorMfa(act[1], operator);
    return sendJson(res, 200, { username: act[1], mfa: 'not_enrolled', sessionsEnded });
  }
  const role = /^\/api\/operators\/([a-z0-9._-]{1,32})\/(grant|revoke)-reveal$/.exec(url.pathname);
  if (method === 'POST' && role?.[1]) {
    onlyFields(await readJson(req), []);
    // Another operator grants the right to read sealed data: nobody grants it to themselves.
    if (role[1] === operator && role[2] === 'grant')
      throw new HqError('HQ_BAD_REQUEST', 'Another operator must grant you the reveal right');
    const granted = role[2] === 'grant';
    if (await con.auth.accounts.setRole(role[1], 'reveal', granted))
      await con.auth.log.record(granted ? 'operator.role_granted' : 'operator.role_revoked', operator, {
        username: role[1],
        role: 'reveal',
      });
    const summary = (await con.auth.accounts.list()).find((o) => o.username === role[1]);
    return sendJson(res, 200, { username: role[1], roles: summary?.roles ?? [] });
  }
  const dis = /^\/api\/operators\/([a-z0-9._-]{1,32})\/disable$/.exec(url.pathname);
  if (method === 'POST' && dis?.[1]) {
    onlyFields(await readJson(req), []);
    // Keeps at least the acting operator able to sign in.
    if (dis[1] === operator) throw new HqError('HQ_BAD_REQUEST', 'You cannot disable yourself');
    const sessionsEnded = await con.auth.disableOperator(dis[1], operator);
    return sendJson(res, 200, { username: dis[1], disabled: true, sessionsEnded });
  }
  const m = /^\/api\/branches\/([A-Za-z0-9_]+)\/(freeze|witness|rules|quarantine\/requests)$/.exec(
    url.pathname,
  );
  const branch = m?.[1] as string;
  if (method === 'GET' && m?.[2] === 'witness') return sendJson(res, 200, await con.verifyBranch(branch));
  if (method === 'POST' && m?.[2] === 'freeze') {
    const body = await readJson(req);
    onlyFields(body, ['username', 'reason']);
    const username = stringField(body, 'username', 64);
    const reason = typeof body['reason'] === 'string' ? body['reason'].slice(0, 500) : 'HQ freeze';
    const id = await con.freeze(branch, username, reason);
    await con.auth.log.record('branch.freeze_issued', operator, { branch, username, reason });
    return sendJson(res, 201, { id });
  }
  if (method === 'GET' && m?.[2] === 'rules')
    return sendJson(res, 200, { branch, rules: await con.rules(branch) });
  if (method === 'PUT' && m?.[2] === 'rules') {
    const rules = rulesOf(await readJson(req));
    await con.enrolBranch(branch, rules);
    await con.auth.log.record('branch.rules_changed', operator, { branch, rules });
    return sendJson(res, 200, { branch, rules: await con.rules(branch) });
  }
  if (method === 'POST' && m?.[2] === 'quarantine/requests') {
    const body = await readJson(req);
    onlyFields(body, ['cls', 'docId', 'rev', 'note']);
    const request = {
      cls: stringField(body, 'cls', 32),
      docId: stringField(body, 'docId', 256),
      ...(typeof body['rev'] === 'string' ? { rev: body['rev'] } : {}),
      note: stringField(body, 'note', 500),
    };
    const id = await con.requestRelease(branch, request, operator);
    await con.auth.log.record('branch.release_requested', operator, { branch, ...request });
    return sendJson(res, 201, { id });
  }
  throw new HqError('HQ_NOT_FOUND', 'Not found', { status: 404 });
}
