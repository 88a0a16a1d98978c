import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { totpCode } from '../../../sync/src/hq/totp.ts';
import { defaultPolicy, generatePolicyKey, signPolicy } from '../../../sync/src/index.ts';
import { type BridgeRig, startBridgeRig, until } from './test-rig.ts';

/** Signs in with the first-run operator password, replaces it, sets up TOTP, and returns the session cookie. */
async function signedInOperator(base: string, hqDir: string): Promise<string> {
  const password = (await readFile(path.join(hqDir, 'initial-operator-password'), 'utf8')).trim();
  const json = { 'content-type': 'application/json' };
  const login = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: 'admin', password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const changed = await fetch(`${base}/api/password`, {
    method: 'POST',
    headers: { ...json, cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ current: password, next: 'a long operator passphrase' }),
  });
  assert.equal(changed.status, 200);
  const mfaPage = await (await fetch(`${base}/mfa`, { headers: { cookie } })).text();
  const secret = /data-testid="hq-mfa-secret">([A-Z2-7]+)</.exec(mfaPage)?.[1] ?? '';
  const enrolled = await fetch(`${base}/api/mfa`, {
    method: 'POST',
    headers: { ...json, cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ code: totpCode(secret, Date.now()) }),
  });
  assert.equal(enrolled.status, 200);
  return cookie;
}

let rig: BridgeRig;
let dir: string;
let hq: BridgeRig['hq'];
let hqConsole: BridgeRig['hqConsole'];
let hqKey: BridgeRig['hqKey'];
let dbs: BridgeRig['dbs'];
let bridge: BridgeRig['bridge'];
let events: BridgeRig['events'];

before(async () => {
  rig = await startBridgeRig('Q1', { tokenByte: 5 });
  ({ dir, hq, hqConsole, hqKey, dbs, bridge, events } = rig);
});

after(() => rig?.close());

describe('documents HQ refuses', () => {
  it('go to the local quarantine with an alarm, reach the status API and are listed by the HQ console', async () => {
    await dbs.tickets.bulkDocs([
      { _id: 'ticket:fine', f: { state: { v: 'open', t: '1' } } },
      { _id: 'ticket:card', cardNumber: '4111111111111111' },
      { _id: 'ticket:huge', f: { note: { v: 'x'.repeat(6_000), t: '1' } } },
    ]);
    assert.ok(
      await until(async () => (await bridge.status()).quarantined === 2),
      'two documents quarantined',
    );
    const tickets = hq.db('b-Q1-tickets');
    assert.ok(
      await until(async () => (await tickets.get('ticket:fine').catch(() => undefined)) !== undefined),
    );
    for (const id of ['ticket:card', 'ticket:huge'])
      assert.equal(await tickets.get(id).catch((e: { status?: number }) => e.status), 404, `${id} not at HQ`);

    const q = await bridge.quarantined();
    assert.deepEqual(q.map((e) => e.docId).sort(), ['ticket:card', 'ticket:huge']);
    assert.match(q.find((e) => e.docId === 'ticket:card')?.reason ?? '', /cardNumber/);
    assert.match(q.find((e) => e.docId === 'ticket:huge')?.reason ?? '', /too large/);
    const stored = await dbs.quarantine.allDocs({ include_docs: true });
    assert.ok(
      stored.rows.some((r) => (r.doc?.['doc'] as { cardNumber?: string } | undefined)?.cardNumber),
      'the refused document itself is kept locally for review',
    );
    assert.equal(events.filter((e) => e.type === 'sync.doc_quarantined').length, 2);
    assert.equal(
      events.filter((e) => e.type === 'system.alarm_raised' && e.data['alarm'] === 'sync.doc_refused').length,
      2,
    );
    const rep = (await bridge.status()).replications.find((r) => r.name === 'tickets');
    assert.equal(rep?.quarantined, 2);
    assert.equal(rep?.pendingDocs, 0, 'refused documents are not counted as lag');

    await bridge.publishStatus();
    const view = await until(async () => (await hqConsole.branchView('Q1')).quarantine.length === 2);
    assert.ok(view, 'HQ sees the quarantine summary');
    const base = `http://127.0.0.1:${await hqConsole.listen(0)}`;
    assert.equal((await fetch(`${base}/`, { redirect: 'manual' })).status, 303, 'sign-in required');
    const cookie = await signedInOperator(base, path.join(dir, 'hq'));
    const res = await fetch(`${base}/`, { headers: { cookie } });
    const html = await res.text();
    assert.match(html, /data-testid="hq-quarantine"[\s\S]*ticket:card[\s\S]*cardNumber/);
    assert.match(html, /data-testid="hq-kpis"/);
    assert.doesNotMatch(html, /<script(?! src="\/hq-console\.js")|style=/, 'no inline script or style');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });
});

describe('residency policy changes', () => {
  it('are logged append-only at HQ and accepted or refused with an event at the branch', async () => {
    const v2 = signPolicy({ ...defaultPolicy(), version: 2 }, hqKey);
    await hqConsole.issuePolicy('Q1', v2, 'ops-lead');
    await assert.rejects(hqConsole.issuePolicy('Q1', v2, 'ops-lead'), /already issued/);
    assert.ok(
      await until(async () => bridge.policy.version === 2),
      'the branch adopted version 2 from its inbound db',
    );
    assert.ok(
      await until(async () =>
        events.some((e) => e.type === 'sync.policy_changed' && e.data['version'] === 2),
      ),
      'the branch published its acceptance',
    );

    const v1 = signPolicy({ ...defaultPolicy(), version: 1 }, hqKey);
    assert.equal(await bridge.applyPolicy(v1), false);
    assert.ok(
      events.some((e) => e.type === 'sync.policy_rejected' && e.data['reason'] === 'older than current'),
    );
    const forged = signPolicy({ ...defaultPolicy(), version: 3 }, generatePolicyKey());
    assert.equal(await bridge.applyPolicy(forged), false);
    assert.ok(events.some((e) => e.type === 'sync.policy_rejected' && e.data['reason'] === 'signature'));
    assert.equal(bridge.policy.version, 2);

    const log = await hqConsole.policies();
    assert.deepEqual(
      log.map((p) => [p.branch, p.version, p.issuedBy]),
      [['Q1', 2, 'ops-lead']],
    );
    await bridge.publishStatus();
    assert.ok(await until(async () => (await hqConsole.branchView('Q1')).policyVersion === 2));
  });
});
