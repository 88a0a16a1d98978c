// What reaches HQ is exactly what the residency policy allows (issue 11, findings 1 to 4):
// a real appliance replicates to the real embedded HQ (auth on); a plain fetch client scans
// every HQ database, revision, attachment and design doc and compares each field with the policy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import {
  defaultPolicy,
  type FieldRule,
  HqConsole,
  type HqCouch,
  openHqSealed,
  type ResidencyPolicy,
  signPolicy,
  startHqCouch,
} from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { until, untilTrue } from './support/until.ts';

const BRANCH = 'H1';
let hqDir: string;
let hq: HqCouch;
let con: HqConsole;
let app: RunningAppliance;
let admin: ApiClient;
let auditor: ApiClient;
let cleanup: () => Promise<void>;
let own: { username: string; password: string };
let other: { username: string; password: string };
const sockets: WebSocket[] = [];

interface Bundle {
  username: string;
  password: string;
  hqControlKey: string;
  hqSealKey: string;
}

before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-res-'));
  hq = await startHqCouch({ dataDir: hqDir, auth: true });
  con = new HqConsole(hq, hqDir);
  await con.enrolBranch(BRANCH);
  await con.enrolBranch('H2');
  const bundle = (b: string) =>
    JSON.parse(readFileSync(path.join(hqDir, 'enrolment', `${b}.json`), 'utf8')) as Bundle;
  own = bundle(BRANCH);
  other = bundle('H2');
  const tmp = await tempDataDir();
  cleanup = tmp.cleanup;
  app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_HQ_URL: hq.url,
      BRANCHLINE_BRANCH_ID: BRANCH,
      BRANCHLINE_HQ_CREDENTIALS_FILE: path.join(hqDir, 'enrolment', `${BRANCH}.json`),
      BRANCHLINE_HTTPS: 'off',
    },
  });
  ({ admin } = await bootstrapAdmin(app));
  const role = await admin.request('POST', '/api/roles', {
    id: 'h1-trail-reader',
    description: 'reads the audit trail',
    permissions: ['audit.read'],
  });
  assert.equal(role.status, 201);
  auditor = (await createSignedInUser(admin, 'h1.trail', ['h1-trail-reader'], 'h1 trail password 1')).client;
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await app?.stop();
  await con?.close();
  await hq?.close();
  await cleanup?.();
  if (hqDir) await rm(hqDir, { recursive: true, force: true });
});

const basic = (c: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** A plain HTTP request to HQ's replication port. */
async function hqFetch(
  p: string,
  options: { method?: string; body?: unknown; auth?: { username: string; password: string } } = {},
) {
  const r = await fetch(`${hq.url}${p}`, {
    method: options.method ?? 'GET',
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      ...(options.auth ? { authorization: basic(options.auth) } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await r.text();
  return { status: r.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

type Stamp = { v?: unknown; t?: string; withheld?: boolean };
type HqDoc = { _id: string; f?: Record<string, Stamp>; [k: string]: unknown };

/** Every leaf revision (with its revision list and attachments) of every doc in every HQ db of a branch. */
async function scanHq(): Promise<{ dump: string; docs: Map<string, HqDoc[]> }> {
  const dbs = readdirSync(path.join(hqDir, 'couch')).filter((n) => /^b-[A-Za-z0-9_]+-[a-z]+$/.test(n));
  const docs = new Map<string, HqDoc[]>();
  let dump = '';
  for (const db of dbs) {
    const auth = db.startsWith(`b-${BRANCH}-`) ? own : other;
    const all = await hqFetch(`/${db}/_all_docs?include_docs=true`, { auth });
    assert.equal(all.status, 200, `${db} readable with its branch's credentials: ${all.text}`);
    const list: HqDoc[] = [];
    for (const row of (all.json as { rows: Array<{ id: string }> }).rows) {
      const id = row.id.startsWith('_design/')
        ? `_design/${encodeURIComponent(row.id.slice(8))}`
        : encodeURIComponent(row.id);
      const revs = await hqFetch(`/${db}/${id}?revs=true&open_revs=all&attachments=true`, { auth });
      assert.equal(revs.status, 200, `${db}/${row.id}: ${revs.text}`);
      dump += revs.text;
      for (const leaf of revs.json as Array<{ ok?: HqDoc }>) if (leaf.ok) list.push(leaf.ok);
    }
    dump += all.text;
    docs.set(db, list);
  }
  return { dump, docs };
}

const sealKey = () =>
  (
    JSON.parse(readFileSync(path.join(hqDir, 'keys', 'hq-keys.json'), 'utf8')) as {
      seal: { privateKey: string };
    }
  ).seal.privateKey;

/** Checks one projected doc field by field against the policy; returns per-rule counts. */
async function checkDoc(
  cls: 'tickets' | 'crm',
  doc: HqDoc,
  expected: Record<string, unknown>,
  policy: ResidencyPolicy,
  tally: Record<string, number>,
): Promise<void> {
  const f = doc.f ?? {};
  for (const [field, value] of Object.entries(expected)) {
    const rule: FieldRule = policy.classes[cls]?.fields[field] ?? 'withheld';
    const got = f[field];
    const where = `${cls} ${doc._id}.${field} (${rule})`;
    if (rule === 'withheld' || value === null || value === undefined) {
      if (rule === 'withheld') assert.ok(!got || (got.withheld && got.v === null), `${where} must be absent`);
      tally[`${cls}.${field}.${rule}`] = (tally[`${cls}.${field}.${rule}`] ?? 0) + 1;
      continue;
    }
    assert.ok(got && !got.withheld, `${where} must be present`);
    if (rule === 'plain') assert.deepEqual(got.v, value, where);
    if (rule === 'token') assert.match(String(got.v), /^tok:[A-Za-z0-9_-]{27}$/, where);
    if (rule === 'sealed') {
      const opened = await openHqSealed(sealKey(), String(got.v), { db: cls, docId: doc._id, field });
      assert.equal(opened, typeof value === 'string' ? value : JSON.stringify(value), where);
      // Sealed for this place only: the same ciphertext does not open as another field.
      await assert.rejects(openHqSealed(sealKey(), String(got.v), { db: cls, docId: doc._id, field: 'x' }));
    }
    tally[`${cls}.${field}.${rule}`] = (tally[`${cls}.${field}.${rule}`] ?? 0) + 1;
  }
}

interface Made {
  customers: Array<{
    id: string;
    name: string;
    phone: string;
    email: string;
    idCard: string;
    address: string;
  }>;
  tickets: Array<{ id: string; subject: string; description: string; customerId?: string }>;
}
let made: Made;

/** A PRC resident ID number with its GB 11643 check character. */
function idCard(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * (w[i] ?? 0), 0);
  return first17 + '10X98765432'[sum % 11];
}

async function workload(): Promise<Made> {
  const out: Made = { customers: [], tickets: [] };
  for (let i = 0; i < 5; i++) {
    const c = {
      name: `CANARY-${i}01 Wang`,
      phone: `+86138001380${String(i).padStart(2, '0')}`,
      email: `canary${i}02@example.com`,
      idCard: idCard(`11010519491231${String(i).padStart(3, '0')}`),
      address: `CANARY-${i}03 Chang'an Avenue`,
    };
    const r = await admin.request('POST', '/api/customers', c);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    out.customers.push({ ...c, id: r.json['id'] as string, phone: r.json['phone'] as string });
  }
  for (let i = 0; i < 7; i++) {
    const customerId = i < 5 ? out.customers[i]?.id : undefined;
    const t = {
      subject: `CANARY-${i}04 card lost`,
      description: `CANARY-${i}05 customer says the card was swallowed`,
      priority: i % 2 ? 'high' : 'normal',
      ...(customerId ? { customerId } : {}),
    };
    const r = await admin.request('POST', '/api/tickets', t);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const id = r.json['id'] as string;
    out.tickets.push({
      id,
      subject: t.subject,
      description: t.description,
      ...(customerId ? { customerId } : {}),
    });
    if (i < 3) {
      for (const to of ['open', 'l1'])
        assert.equal((await admin.request('POST', `/api/tickets/${id}/transitions`, { to })).status, 200);
    }
  }
  return out;
}

/** The branch's own view of a ticket, mapped to the fields the projection carries. */
async function expectedTicket(id: string): Promise<Record<string, unknown>> {
  const v = (await admin.request('GET', `/api/tickets/${id}`)).json as {
    ticket: Record<string, unknown> & { fields: Record<string, string> };
    workflow: { states: Array<{ id: string; category: string }> };
  };
  const t = v.ticket;
  return {
    number: t['number'],
    state: t['state'],
    status: v.workflow.states.find((s) => s.id === t['state'])?.category,
    priority: t['priority'],
    createdAt: t['createdAt'],
    customerId: t['customerId'] ?? null,
    subject: t['subject'],
    description: t['description'],
    fields: t.fields,
    tags: t['tags'],
  };
}

test('HQ receives every ticket and customer as the policy allows: plain equal, tokens, sealed that HQ opens, withheld absent', async () => {
  const workStart = Date.now();
  made = await workload();
  console.log(`workload (5 customers, 7 tickets, 6 transitions) took ${Date.now() - workStart} ms`);
  const policy = defaultPolicy();
  const expected = new Map<string, Record<string, unknown>>();
  for (const t of made.tickets) expected.set(`ticket:${t.id}`, await expectedTicket(t.id));
  // Everything has arrived once every ticket at HQ carries the branch's current state.
  const waitFrom = Date.now();
  const docsOf = async (db: string) => {
    const r = await hqFetch(`/${db}/_all_docs?include_docs=true`, { auth: own });
    return (r.json as { rows: Array<{ doc: HqDoc }> }).rows.map((x) => x.doc);
  };
  await untilTrue(
    'tickets and CRM at HQ',
    async () => {
      const tickets = await docsOf(`b-${BRANCH}-tickets`);
      const crm = (await docsOf(`b-${BRANCH}-crm`)).filter((d) => d._id.startsWith('crm:'));
      const current = [...expected].every(([id, e]) =>
        tickets.some((d) => d._id === id && d.f?.['state']?.v === e['state']),
      );
      return current && crm.length === made.customers.length;
    },
    { timeoutMs: 30_000, everyMs: 250 },
  );
  console.log(`tickets and CRM complete at HQ ${Date.now() - waitFrom} ms after the workload`);
  const started = Date.now();
  const scan = await scanHq();
  console.log(
    `scanned ${[...scan.docs.values()].flat().length} docs (every leaf revision) in ${Date.now() - started} ms`,
  );
  const tally: Record<string, number> = {};
  for (const doc of scan.docs.get(`b-${BRANCH}-tickets`) ?? []) {
    if (doc._id.startsWith('_design/')) continue;
    const e = expected.get(doc._id);
    assert.ok(e, `unexpected ticket doc ${doc._id}`);
    await checkDoc('tickets', doc, e, policy, tally);
  }
  // CRM ids are pseudonyms; the sealed address (opened by HQ's key) says which customer each doc is.
  for (const doc of (scan.docs.get(`b-${BRANCH}-crm`) ?? []).filter((d) => d._id.startsWith('crm:'))) {
    assert.match(doc._id, /^crm:tok:/);
    const address = await openHqSealed(sealKey(), String(doc.f?.['address']?.v), {
      db: 'crm',
      docId: doc._id,
      field: 'address',
    });
    const c = made.customers.find((x) => x.address === address);
    assert.ok(c, `CRM doc ${doc._id} opens to a customer's address`);
    await checkDoc(
      'crm',
      doc,
      {
        name: c.name,
        phone: c.phone,
        email: c.email,
        address: c.address,
        idCard: c.idCard,
        segment: 'standard',
      },
      policy,
      tally,
    );
  }
  console.log(`per class.field.rule: ${JSON.stringify(tally)}`);
  for (const k of [
    'tickets.priority.plain',
    'tickets.status.plain',
    'tickets.createdAt.plain',
    'tickets.subject.sealed',
  ])
    assert.equal(tally[k], made.tickets.length, k);
  assert.equal(tally['crm.name.token'], made.customers.length);
  // Nothing personal in plaintext anywhere at HQ (every db, revision, attachment, design doc).
  const canaries = scan.dump.match(/CANARY-\d+/g) ?? [];
  assert.equal(canaries.length, 0, `canaries at HQ: ${canaries.slice(0, 5).join(', ')}`);
  const plaintext = made.customers.flatMap((c) => [c.phone, c.phone.slice(3), c.email, c.idCard]);
  assert.deepEqual(
    plaintext.filter((p) => scan.dump.includes(p)),
    [],
    'no phone, email or ID number at HQ',
  );
  // Tickets and CRM carry no customer UUID that would re-link a token (audit: see report, finding 3).
  const recordDump = JSON.stringify([
    scan.docs.get(`b-${BRANCH}-tickets`),
    scan.docs.get(`b-${BRANCH}-crm`),
    scan.docs.get(`b-${BRANCH}-status`),
  ]);
  assert.deepEqual(
    made.customers.filter((c) => recordDump.includes(c.id)).map((c) => c.id),
    [],
    'customer UUIDs in ticket/CRM/status docs',
  );
});

/** A web chat visitor over the public widget socket: says `text`, then leaves contact details. */
async function visitor(text: string, prechat: { name: string; phone: string }): Promise<void> {
  const frames: Array<Record<string, unknown>> = [];
  const ws = new WebSocket(`ws://127.0.0.1:${app.httpPort}/widget/ws`);
  sockets.push(ws);
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ t: 'hello', token: randomBytes(18).toString('base64url'), lastSeq: 0 }));
  await until('widget welcome', () => frames.find((f) => f['t'] === 'welcome'));
  ws.send(JSON.stringify({ t: 'send', cid: 'm1', text }));
  await until('the message acknowledged', () => frames.find((f) => f['cid'] === 'm1'));
  ws.send(JSON.stringify({ t: 'prechat', ...prechat }));
}

test("HQ's audit copy re-links nothing: no customer/contact id, phone, ID number or canary, customer ids tokenised as on the tickets, and HQ's witness verifies the chain", async () => {
  // More audited work on people: two web chat contacts (the second visitor gives customer 0's phone,
  // so the branch merges the two customers), and reads of a customer and a contact.
  await visitor('CANARY-801 my card is blocked', { name: 'CANARY-802 Li', phone: '+8613900139077' });
  await visitor('CANARY-803 where is my card', {
    name: 'CANARY-804 Wang',
    phone: made.customers[0]?.phone ?? '',
  });
  type Contact = { id: string; customerId: string; conversationId: string };
  const contacts = await until(
    'two web chat contacts',
    async () => {
      const r = await admin.request('GET', '/api/contacts?scope=all');
      const list = (r.json['contacts'] as Contact[] | undefined) ?? [];
      return list.length >= 2 ? list : undefined;
    },
    { timeoutMs: 15_000, everyMs: 200 },
  );
  const merged = await until(
    'the visitor merged into customer 0 (same phone)',
    async () => {
      const r = await auditor.request('GET', '/api/audit?action=customer.merged&limit=10');
      return (r.json['records'] as Array<{ details: Record<string, string> }> | undefined)?.[0];
    },
    { timeoutMs: 15_000, everyMs: 200 },
  );
  const c0 = made.customers[0]?.id as string;
  assert.equal((await admin.request('GET', `/api/customers/${c0}`)).status, 200);
  assert.equal((await admin.request('GET', `/api/contacts/${contacts[0]?.id}`)).status, 200);
  const last = await auditor.request('GET', '/api/audit?order=desc&limit=1');
  const lastSeq = (last.json['records'] as Array<{ seq: number }>)[0]?.seq ?? 0;
  // What the branch holds in plaintext about people: ids, phones, ID numbers, emails.
  const customerIds = new Set([
    ...made.customers.map((c) => c.id),
    ...contacts.map((c) => c.customerId),
    merged.details['sourceId'] as string,
    merged.details['targetId'] as string,
  ]);
  const secrets = [
    ...customerIds,
    ...contacts.flatMap((c) => [c.id, c.conversationId]),
    ...made.customers.flatMap((c) => [c.phone, c.phone.slice(3), c.email, c.idCard]),
    '+8613900139077',
    '13900139077',
  ];
  assert.ok(customerIds.size >= made.customers.length + 1, 'web chat customers are in the list');

  const audit = `b-${BRANCH}-audit`;
  const waitFrom = Date.now();
  await untilTrue(
    `audit records 1..${lastSeq} and a head covering them at HQ`,
    async () => {
      const head = await hqFetch(`/${audit}/meta:head`, { auth: own });
      const all = await hqFetch(`/${audit}/_all_docs?startkey="rec:"&endkey="rec:~"`, { auth: own });
      const recs = (all.json as { rows?: unknown[] }).rows?.length ?? 0;
      return head.status === 200 && Number((head.json as { seq: number }).seq) >= lastSeq && recs >= lastSeq;
    },
    { timeoutMs: 30_000, everyMs: 250 },
  );
  console.log(`audit up to seq ${lastSeq} at HQ ${Date.now() - waitFrom} ms after the workload`);
  const scan = await scanHq();
  const auditDocs = (scan.docs.get(audit) ?? []).filter((d) => d._id.startsWith('rec:'));
  const auditDump = JSON.stringify(auditDocs);
  const found = secrets.flatMap((x) =>
    x
      ? auditDocs.filter((d) => JSON.stringify(d).includes(x)).map((d) => `${x} in ${JSON.stringify(d)}`)
      : [],
  );
  console.log(
    `audit at HQ: ${auditDocs.length} records, ${secrets.length} plaintext identifiers checked, ${new Set(found.map((f) => f.split(' ')[0])).size} found (${found.length} identifier-doc pairs)`,
  );
  assert.deepEqual(found, [], 're-linkable identifiers in audit docs at HQ');
  assert.deepEqual(auditDump.match(/CANARY-\d+/g) ?? [], [], 'canaries in audit docs at HQ');
  assert.deepEqual(
    secrets.filter((x) => x && scan.dump.includes(x)),
    [],
    'no such identifier anywhere at HQ (every db, revision, attachment)',
  );
  assert.ok(!auditDocs.some((d) => 'salt' in d), 'the commitment salt stays at the branch');

  // Tokens join audit to the records HQ holds: each customer id in audit is the ticket's customerId token.
  const tickets = new Map(
    (scan.docs.get(`b-${BRANCH}-tickets`) ?? []).map((d) => [d._id, d.f?.['customerId']?.v]),
  );
  const crmTokens = new Set(
    (scan.docs.get(`b-${BRANCH}-crm`) ?? [])
      .filter((d) => d._id.startsWith('crm:'))
      .map((d) => d._id.slice(4)),
  );
  const rec = (action: string, pred: (d: HqDoc) => boolean = () => true) =>
    auditDocs.filter((d) => d['action'] === action && pred(d));
  let joined = 0;
  for (const t of made.tickets.filter((x) => x.customerId)) {
    const token = tickets.get(`ticket:${t.id}`);
    assert.match(String(token), /^tok:/);
    const created = rec('ticket.created', (d) => (d['details'] as { ticketId?: string })?.ticketId === t.id);
    assert.equal(created.length, 1, `one ticket.created record for ${t.id}`);
    assert.equal(
      (created[0]?.['details'] as Record<string, unknown> | undefined)?.['customerId'],
      token,
      'same token as the ticket',
    );
    const i = made.customers.findIndex((c) => c.id === t.customerId);
    assert.equal(
      rec('customer.created', (d) => d['target'] === `customer:${token}`).length,
      1,
      `customer ${i}`,
    );
    joined++;
  }
  const t0 = tickets.get(`ticket:${made.tickets[0]?.id}`);
  assert.ok(
    rec('customer.view', (d) => d['target'] === `customer:${t0}`).length >= 1,
    'the read of customer 0',
  );
  assert.equal(
    (rec('customer.merged')[0]?.['details'] as Record<string, unknown> | undefined)?.['targetId'],
    t0,
  );
  // Every customer id left in audit is a token of a customer HQ holds (the CRM doc id), nothing else.
  const customerRefs = auditDocs.flatMap((d) => {
    const refs: unknown[] = [(d['details'] as Record<string, unknown> | undefined)?.['customerId']];
    const target = String(d['target'] ?? '');
    if (target.startsWith('customer:') && !target.startsWith('customer:batch:')) refs.push(target.slice(9));
    return refs.filter((x) => x !== undefined);
  });
  assert.ok(customerRefs.length >= made.customers.length * 2);
  assert.deepEqual(
    customerRefs.filter((x) => !crmTokens.has(String(x))),
    [],
    'customer ids in audit that are not a CRM token',
  );
  const contactTargets = auditDocs
    .map((d) => String(d['target'] ?? ''))
    .filter((x) => x.startsWith('contact:'));
  assert.ok(contactTargets.length >= 1 && contactTargets.every((x) => /^contact:tok:/.test(x)));
  console.log(
    `${joined} tickets joined to their customer.created records by token; ${customerRefs.length} customer refs, all CRM tokens`,
  );

  // HQ's witness verifies the shaped copy: chain, checkpoints, signed head; and the branch's own log verifies.
  const verdict = await con.verifyBranch(BRANCH);
  assert.deepEqual([verdict.ok, verdict.problems], [true, []], JSON.stringify(verdict));
  assert.ok('records' in verdict && verdict.records >= lastSeq && !verdict.unchecked);
  const atBranch = await auditor.request('GET', '/api/audit/verify');
  assert.deepEqual([atBranch.json['ok'], atBranch.json['problems']], [true, []]);
  const selftest = (await (await fetch(`${app.base}/healthz?selftest=1`)).json()) as {
    selfTestChecks?: Record<string, { ok: boolean }>;
  };
  assert.equal(
    selftest.selfTestChecks?.['audit']?.ok,
    true,
    'the post-update self-test verifies the audit log',
  );
});

test('a policy change at HQ backfills what the new policy allows into every existing ticket', async () => {
  const keys = await con.keys();
  const next = defaultPolicy();
  next.version = 2;
  const fields = next.classes.tickets?.fields ?? {};
  fields['tags'] = 'plain';
  fields['customerName'] = 'withheld';
  await con.issuePolicy(BRANCH, signPolicy(next, keys.control));
  const db = hq.db(`b-${BRANCH}-tickets`);
  await untilTrue(
    'every ticket re-projected under policy v2',
    async () => {
      const all = await db.allDocs({ include_docs: true });
      const docs = all.rows.flatMap((r) =>
        r.doc && r.id.startsWith('ticket:') ? [r.doc as unknown as HqDoc] : [],
      );
      return (
        docs.length === made.tickets.length &&
        docs.every(
          (d) =>
            Array.isArray(d.f?.['tags']?.v) &&
            (d.f?.['customerName'] === undefined || d.f['customerName'].withheld === true),
        )
      );
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  // Retraction: what policy v1 let through does not linger in an older revision at HQ
  // (a plain client asks for each one by its rev).
  let older = 0;
  for (const t of made.tickets) {
    const id = encodeURIComponent(`ticket:${t.id}`);
    const info = await hqFetch(`/b-${BRANCH}-tickets/${id}?revs_info=true`, { auth: own });
    assert.equal(info.status, 200, info.text);
    const revs = (info.json as { _revs_info: Array<{ rev: string; status: string }> })._revs_info.slice(1);
    for (const r of revs) {
      older += 1;
      const old = await hqFetch(`/b-${BRANCH}-tickets/${id}?rev=${r.rev}`, { auth: own });
      assert.equal(
        old.status,
        404,
        `ticket:${t.id} rev ${r.rev} is still readable at HQ: ${old.text.slice(0, 200)}`,
      );
    }
  }
  assert.ok(older >= made.tickets.length, `every ticket had an older revision (${older})`);
});

test('HQ refuses unauthenticated and wrong-branch requests to every database kind, and server endpoints to branches', async () => {
  const kinds = ['tickets', 'crm', 'audit', 'status', 'inbound'];
  for (const k of kinds) {
    const db = `/b-${BRANCH}-${k}`;
    assert.equal((await hqFetch(`${db}/_all_docs`)).status, 401, `anonymous read ${k}`);
    assert.equal(
      (await hqFetch(`${db}/x`, { method: 'PUT', body: { a: 1 } })).status,
      401,
      `anonymous write ${k}`,
    );
    assert.equal((await hqFetch(`${db}/_all_docs`, { auth: other })).status, 403, `H2 reads ${k}`);
    assert.equal(
      (await hqFetch(`${db}/x`, { method: 'PUT', body: { a: 1 }, auth: other })).status,
      403,
      `H2 writes ${k}`,
    );
    const wrong = { username: BRANCH, password: 'not-the-password' };
    assert.equal((await hqFetch(`${db}/_all_docs`, { auth: wrong })).status, 401, `wrong password ${k}`);
    assert.equal(
      (await hqFetch(`${db}/_design/evil`, { method: 'PUT', body: { validate_doc_update: 'x' }, auth: own }))
        .status,
      403,
      `design doc write ${k}`,
    );
  }
  // The finding: a branch could write a freeze for itself (or anyone) into its inbound db.
  const forged = await hqFetch(`/b-${BRANCH}-inbound/x`, {
    method: 'PUT',
    body: { type: 'freeze', username: 'admin' },
    auth: own,
  });
  assert.equal(forged.status, 403);
  for (const p of ['/_all_dbs', '/_config', '/', '/_session', '/hq-policy-log/_all_docs']) {
    assert.equal((await hqFetch(p)).status, 401, `anonymous ${p}`);
    const r = await hqFetch(p, { auth: own });
    assert.equal(r.status, 403, `branch ${p}`);
    assert.ok(!r.text.includes(hqDir), `${p} does not reveal HQ's data dir`);
  }
  // The branch's own replication works with its credentials (reads of its inbound db included).
  assert.equal((await hqFetch(`/b-${BRANCH}-inbound/_all_docs`, { auth: own })).status, 200);
});

test('an unsigned or replayed freeze in the inbound db is refused by the branch and alarmed; a signed one applies', async () => {
  const victim = await createSignedInUser(admin, 'victim1', ['agent'], 'victim one passphrase 1');
  const inbound = hq.db(`b-${BRANCH}-inbound`);
  // Written past HQ's gate (as an insider at HQ could): no signature.
  await inbound.put({ _id: 'freeze:victim1:forged', type: 'freeze', username: 'victim1', reason: 'forged' });
  const refused = await until(
    'the forged freeze in the branch quarantine',
    async () => {
      const q = await admin.request('GET', '/api/sync/quarantine');
      return (q.json['quarantine'] as Array<{ docId: string; reason: string }> | undefined)?.find(
        (e) => e.docId === 'freeze:victim1:forged',
      );
    },
    { timeoutMs: 15_000, everyMs: 200 },
  );
  assert.match(refused.reason, /unsigned/);
  const alarmed = await until('the control-doc alarm on the audit trail', async () => {
    const r = await auditor.request('GET', '/api/audit?action=system.alarm_raised&limit=200');
    return (r.json['records'] as Array<{ details: Record<string, unknown> }> | undefined)?.find(
      (x) => x.details['alarm'] === 'sync.control_refused',
    );
  });
  assert.match(String(alarmed.details['detail']), /freeze:victim1:forged/);
  assert.equal((await victim.client.request('GET', '/api/auth/me')).status, 200, 'victim still signed in');

  // A freeze HQ signs applies; replaying it after the branch unfroze the user does not.
  const id = await con.freeze(BRANCH, 'victim1', 'left the company');
  await untilTrue(
    'the signed freeze ends the session',
    async () => (await victim.client.request('GET', '/api/auth/me')).status === 401,
    { timeoutMs: 15_000, everyMs: 200 },
  );
  assert.equal((await admin.request('POST', `/api/users/${victim.userId}/unfreeze`, {})).status, 200);
  const signed = await inbound.get(id);
  const { _rev, ...body } = signed;
  await inbound.put({ _id: id, _rev: _rev as string, _deleted: true });
  await inbound.put(body);
  await until(
    'the replayed freeze refused',
    async () => {
      const q = await admin.request('GET', '/api/sync/quarantine');
      return (q.json['quarantine'] as Array<{ docId: string; reason: string }> | undefined)?.find(
        (e) => e.docId === id && /replay/.test(e.reason),
      );
    },
    { timeoutMs: 15_000, everyMs: 200 },
  );
  const list = (await admin.request('GET', '/api/users')).json['users'] as Array<{
    username: string;
    status: string;
  }>;
  assert.notEqual(list.find((u) => u.username === 'victim1')?.status, 'frozen', 'victim stays unfrozen');
});
