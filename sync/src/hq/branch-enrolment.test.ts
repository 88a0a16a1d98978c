import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeJoinBundle } from '../join-bundle.ts';
import { verifyPolicy } from '../policy.ts';
import { HqConsole } from './console.ts';
import { type HqCouch, startHqCouch } from './couch.ts';
import { HqError } from './errors.ts';

let dir: string;
let couch: HqCouch;
let con: HqConsole;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bl-enrol-'));
  couch = await startHqCouch({ dataDir: dir, auth: true });
  con = new HqConsole(couch, dir);
});

after(async () => {
  await con?.close();
  await couch?.close();
  rmSync(dir, { recursive: true, force: true });
});

const asBranch = (b: { username: string; password: string }): RequestInit => ({
  headers: { authorization: `Basic ${Buffer.from(`${b.username}:${b.password}`).toString('base64')}` },
});

test('add() issues a signed bundle whose credentials open only the branch’s own databases; adding again rotates them', async () => {
  const first = await con.enrolment.add({ branch: 'B7', name: 'Futian' }, 'ops');
  const b = decodeJoinBundle(first.text);
  assert.equal(first.rotated, false);
  assert.ok(first.qrSvg?.startsWith('<svg'));
  assert.equal(b.hqUrl, couch.url);
  assert.equal(b.hqControlKey, (await con.keys()).control.publicKey);
  assert.ok(verifyPolicy(b.policy, b.hqControlKey));
  assert.equal((await fetch(`${couch.url}/b-B7-inbound/policy`, asBranch(b))).status, 200);
  assert.equal((await fetch(`${couch.url}/b-B8-inbound`, asBranch(b))).status, 403);

  const again = await con.enrolment.add({ branch: 'B7', name: 'Futian' }, 'ops');
  assert.equal(again.rotated, true);
  assert.equal(
    (await fetch(`${couch.url}/b-B7-inbound/policy`, asBranch(b))).status,
    401,
    'old secret refused',
  );
  assert.equal(
    (await fetch(`${couch.url}/b-B7-inbound/policy`, asBranch(decodeJoinBundle(again.text)))).status,
    200,
  );
});

test('changeRule() issues the next signed version with one field changed, and refuses unknown classes, rules and branches', async () => {
  const issued = await con.enrolment.changeRule(
    'B7',
    { cls: 'crm', field: 'segment', rule: 'withheld' },
    'ops',
  );
  assert.equal(issued.version, 2);
  const cur = await con.enrolment.currentPolicy('B7');
  assert.equal(cur?.policy.classes.crm?.fields['segment'], 'withheld');
  assert.ok(cur && verifyPolicy(cur, (await con.keys()).control.publicKey));
  const refused = async (p: Promise<unknown>, code: string) =>
    assert.rejects(p, (e) => e instanceof HqError && e.code === code);
  await refused(
    con.enrolment.changeRule('B7', { cls: 'mail', field: 'x', rule: 'plain' }, 'ops'),
    'HQ_BAD_REQUEST',
  );
  await refused(
    con.enrolment.changeRule('B7', { cls: 'crm', field: 'x', rule: 'open' }, 'ops'),
    'HQ_BAD_REQUEST',
  );
  await refused(
    con.enrolment.changeRule('B9', { cls: 'crm', field: 'x', rule: 'plain' }, 'ops'),
    'HQ_NOT_FOUND',
  );
  await refused(con.enrolment.add({ branch: 'a/b', name: 'x' }, 'ops'), 'HQ_BAD_REQUEST');
});
