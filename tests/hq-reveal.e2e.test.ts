// Issue 11, "sealed means HQ can open it": an HQ operator with the reveal right opens one sealed
// field of one record; each reveal is in HQ's operator log (never the value) and, through a signed
// `hq_reveal` notice in the branch's inbound db, on the branch's own audit trail. HQ (auth on, the
// console over HTTP with TOTP-signed-in operators) and a real enrolled appliance.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generatePolicyKey, signControl } from '../sync/src/index.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { type HqOperator, type HqWithBranch, type Json, startHqWithBranch } from './support/hq-console.ts';
import { until } from './support/until.ts';

const BRANCH = 'RV';
const SUBJECT = 'REVEAL-CANARY-71 card swallowed at the ATM';
let hq: HqWithBranch;
let branchAdmin: ApiClient;
let auditor: ApiClient;
let docId: string;
let revealer: HqOperator;
let genuineNotice: string;

before(async () => {
  hq = await startHqWithBranch(BRANCH);
  ({ admin: branchAdmin } = await bootstrapAdmin(hq.app));
  // A role with audit.read alone (the built-in auditor role must set up MFA first).
  const role = await branchAdmin.request('POST', '/api/roles', {
    id: 'rv-trail-reader',
    description: 'reads the audit trail',
    permissions: ['audit.read'],
  });
  assert.equal(role.status, 201, JSON.stringify(role.json));
  auditor = (await createSignedInUser(branchAdmin, 'rv.trail', ['rv-trail-reader'], 'rv trail passphrase 1'))
    .client;
});
after(async () => {
  await hq?.close();
});

const recordUrl = () => `/api/branches/${BRANCH}/records/tickets/${encodeURIComponent(docId)}`;

async function operatorLog(): Promise<{ text: string; entries: Json[] }> {
  const r = await hq.admin.call('GET', '/api/operator-log');
  assert.equal(r.status, 200);
  assert.equal(r.json['verdict']?.ok, true, 'the operator log chain verifies');
  return { text: r.text, entries: r.json['entries'] as Json[] };
}

/** The branch's audit records of one action (newest first), read by its auditor. */
async function branchAudit(action: string): Promise<Json[]> {
  const r = await auditor.request('GET', `/api/audit?action=${action}&order=desc&limit=100`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json['records'] as Json[];
}

test('only an operator granted the reveal right opens a sealed ticket field; HQ logs it without the value and the branch audits it', async () => {
  const made = await branchAdmin.request('POST', '/api/tickets', {
    subject: SUBJECT,
    description: 'REVEAL-CANARY-72 customer called twice',
    priority: 'high',
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  docId = `ticket:${made.json['id'] as string}`;

  // HQ's record view: branch → class → record → fields, the subject shown as "sealed".
  const record = await until(
    'the ticket at HQ with its sealed subject',
    async () => {
      const r = await hq.admin.call('GET', recordUrl());
      return r.status === 200 && r.json['fields']?.subject?.kind === 'sealed' ? r.json : undefined;
    },
    { timeoutMs: 30_000, everyMs: 200 },
  );
  assert.equal(record['fields'].subject.value, undefined, 'no ciphertext or value in the view');
  assert.equal(record['fields'].priority.kind, 'plain');
  const list = await hq.admin.call('GET', `/api/branches/${BRANCH}/records/tickets`);
  assert.ok((list.json['records'] as string[]).includes(docId));
  const adminPage = await hq.admin.call('GET', `/records/${BRANCH}/tickets/${encodeURIComponent(docId)}`);
  assert.equal(adminPage.status, 200);
  assert.match(adminPage.text, /data-testid="hq-field-subject" data-kind="sealed"/);
  assert.ok(!adminPage.text.includes('REVEAL-CANARY'), 'the page holds no plaintext');
  assert.ok(!adminPage.text.includes('hq-reveal-subject'), 'no Reveal action without the right');

  // Existing operators (admin) keep today's rights and do not get reveal: 403, logged.
  const ops = (await hq.admin.call('GET', '/api/operators')).json['operators'] as Json[];
  assert.deepEqual(ops.find((o) => o['username'] === 'admin')?.['roles'], ['operator']);
  const reason = 'customer dispute 4411: confirm what was reported';
  const refused = await hq.admin.call('POST', `${recordUrl()}/reveal`, { field: 'subject', reason });
  assert.equal(refused.status, 403);
  assert.equal(refused.json['error']?.code, 'HQ_FORBIDDEN');
  assert.ok(!refused.text.includes('REVEAL-CANARY'));
  const refusedLog = (await operatorLog()).entries.find((e) => e['action'] === 'record.reveal_refused');
  assert.equal(refusedLog?.['actor'], 'admin');
  assert.deepEqual(refusedLog?.['details'], {
    branch: BRANCH,
    cls: 'tickets',
    docId,
    field: 'subject',
    reason,
  });

  // A second operator; nobody grants the right to themselves; admin grants it on the operators page.
  revealer = await hq.admin.addOperator('rev1', 'rev1 operator passphrase 1');
  assert.equal(
    (await revealer.call('POST', `${recordUrl()}/reveal`, { field: 'subject', reason })).status,
    403,
  );
  assert.equal((await revealer.call('POST', '/api/operators/rev1/grant-reveal', {})).status, 400);
  assert.match((await hq.admin.call('GET', '/')).text, /data-testid="hq-grant-reveal-rev1"/);
  const granted = await hq.admin.call('POST', '/api/operators/rev1/grant-reveal', {});
  assert.equal(granted.status, 200, granted.text);
  assert.deepEqual(granted.json['roles'], ['operator', 'reveal']);
  assert.match((await hq.admin.call('GET', '/')).text, /data-testid="hq-revoke-reveal-rev1"/);
  const grantLog = (await operatorLog()).entries.find((e) => e['action'] === 'operator.role_granted');
  assert.equal(grantLog?.['actor'], 'admin');
  assert.deepEqual(grantLog?.['details'], { username: 'rev1', role: 'reveal' });

  // With the right: a reason is required; the field opens to the original text, once, not cacheable.
  const page = await revealer.call('GET', `/records/${BRANCH}/tickets/${encodeURIComponent(docId)}`);
  assert.match(page.text, /data-testid="hq-reveal-subject"/);
  const noReason = await revealer.call('POST', `${recordUrl()}/reveal`, { field: 'subject' });
  assert.equal(noReason.status, 400);
  const notSealed = await revealer.call('POST', `${recordUrl()}/reveal`, { field: 'priority', reason });
  assert.equal(notSealed.json['error']?.code, 'HQ_FIELD_NOT_SEALED');
  const at = Date.now();
  const revealed = await revealer.call('POST', `${recordUrl()}/reveal`, { field: 'subject', reason });
  assert.equal(revealed.status, 200, revealed.text);
  assert.equal(revealed.json['value'], SUBJECT);
  assert.equal(revealed.headers.get('cache-control'), 'no-store');

  // HQ's operator log: who, which branch, class, record, field and why — never the value.
  const log = await operatorLog();
  const entry = log.entries.find((e) => e['action'] === 'record.field_revealed');
  assert.ok(entry, 'record.field_revealed in the operator log');
  assert.equal(entry['actor'], 'rev1');
  const { revealId, ...details } = entry['details'] as Json;
  assert.deepEqual(details, { branch: BRANCH, cls: 'tickets', docId, field: 'subject', reason });
  assert.ok(!log.text.includes('REVEAL-CANARY'), 'the operator log holds no revealed value');

  // The branch's audit trail witnesses it.
  const witnessed = await until(
    'the reveal on the branch audit trail',
    async () =>
      (await branchAudit('sync.hq_field_revealed')).find((r) => r['details']?.revealId === revealId),
    { timeoutMs: 15_000, everyMs: 200 },
  );
  console.log(`reveal on the branch audit trail ${Date.now() - at} ms after HQ answered`);
  const { revealId: _r, operator, db, docId: doc, field, reason: why } = witnessed['details'] as Json;
  assert.deepEqual(
    { operator, db, doc, field, why },
    { operator: 'rev1', db: 'tickets', doc: docId, field: 'subject', why: reason },
  );
  assert.equal(witnessed['actor'], 'hq');
  assert.ok(!JSON.stringify(witnessed).includes('REVEAL-CANARY'), 'the branch record holds no value');
  genuineNotice = `reveal:${revealId}`;
});

test('a reveal notice HQ did not sign, or a replayed one, is refused by the branch and alarmed; a branch cannot write one at all', async () => {
  assert.ok(genuineNotice, 'runs after the reveal test');
  const inbound = hq.couch.db(`b-${BRANCH}-inbound`);
  const notice = {
    type: 'hq_reveal',
    operator: 'mallory',
    cls: 'tickets',
    docId,
    field: 'subject',
    reason: 'x',
  };
  // With the branch's own credentials the inbound db is read-only.
  const { username, password } = hq.credentials;
  const put = await fetch(`${hq.couch.url}/b-${BRANCH}-inbound/reveal:by-branch`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ ...notice, at: new Date().toISOString() }),
  });
  assert.equal(put.status, 403);
  // Past HQ's gate (as an insider at HQ could): signed by a key the branch did not pin, and unsigned.
  const forged = signControl({ _id: 'reveal:forged', ...notice }, BRANCH, generatePolicyKey());
  await inbound.put(forged);
  await inbound.put({ _id: 'reveal:unsigned', ...notice });
  // The genuine notice delivered again (deleted and written anew: a new revision, the same nonce).
  const { _rev, ...genuine } = await inbound.get(genuineNotice);
  await inbound.put({ _id: genuineNotice, _rev: _rev as string, _deleted: true });
  await inbound.put(genuine);

  const reasons = await until(
    'the three notices in the branch quarantine',
    async () => {
      const q = await branchAdmin.request('GET', '/api/sync/quarantine');
      const entries = (q.json['quarantine'] as Array<{ docId: string; reason: string }> | undefined) ?? [];
      const of = (id: string) => entries.find((e) => e.docId === id)?.reason;
      const r = [of('reveal:forged'), of('reveal:unsigned'), of(genuineNotice)];
      return r.every(Boolean) ? r : undefined;
    },
    { timeoutMs: 15_000, everyMs: 200 },
  );
  assert.match(String(reasons[0]), /signature/);
  assert.match(String(reasons[1]), /unsigned/);
  assert.match(String(reasons[2]), /replay/);
  const alarms = await until('three control-doc alarms', async () => {
    const details = (await branchAudit('system.alarm_raised'))
      .map((r) => r['details'] as Json)
      .filter(
        (d) =>
          d['alarm'] === 'sync.control_refused' &&
          ['reveal:forged', 'reveal:unsigned', genuineNotice].some((id) => String(d['detail']).includes(id)),
      );
    return details.length >= 3 ? details : undefined;
  });
  assert.equal(alarms.length, 3);
  // None of them reached the trail as a reveal: only the genuine one is there.
  const reveals = await branchAudit('sync.hq_field_revealed');
  assert.equal(reveals.length, 1, JSON.stringify(reveals.map((r) => r['details'])));
  assert.ok(!reveals.some((r) => r['details']?.operator === 'mallory'));
});
