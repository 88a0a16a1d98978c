// Issue 17 item 5: HQ's audit witness keeps witnessing a live branch across a
// change of HQ's document rules, an appliance restart and a link cut, with the
// branch's audit key pinned on first use (no hand-written branch-keys.json);
// tampering at HQ or at the branch is its own alarm at both ends, not "stale".
// HQ runs in-process (real pouchdb-server over HTTP for the branch); the
// console's witness/branches/rules routes call the HqConsole methods used here.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readAuditPublicKey } from '../appliance/src/audit/index.ts';
import { FaultProxy, HqConsole, type HqCouch, PouchDB, startHqCouch } from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import { ApiClient } from './support/client.ts';
import { until } from './support/until.ts';

const BRANCH = 'WL1';
const CLERK_PASSWORD = 'witness clerk passphrase 1';
let hqDir: string;
let hq: HqCouch;
let hqConsole: HqConsole;
let proxy: FaultProxy;
let app: RunningAppliance;
let dataDir: string;
let cleanup: () => Promise<void>;
let clerk: ApiClient;
let made = 0;

const env = () => ({ BRANCHLINE_HQ_URL: proxy.url, BRANCHLINE_BRANCH_ID: BRANCH, BRANCHLINE_HTTPS: 'off' });

/** Audited actions at the branch (each customer.created is one audit record). */
async function audited(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await clerk.request('POST', '/api/customers', { name: `Witnessed customer ${made++}` });
    assert.equal(res.status, 201);
  }
}

type Witness = { ok: boolean; records?: number; problems: string[]; beyondHead?: number };
/** What `GET /api/branches/<id>/witness` answers. */
const witness = (): Promise<Witness> => hqConsole.verifyBranch(BRANCH);

/** Waits until HQ's witness verifies more than `records` records, all covered by the signed head at HQ. */
async function witnessedBeyond(records: number, what: string): Promise<Witness> {
  let last: Witness | undefined;
  try {
    return await until(
      what,
      async () => {
        last = await witness();
        return last.ok && !last.beyondHead && (last.records ?? 0) > records ? last : undefined;
      },
      { timeoutMs: 45_000, everyMs: 500 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last verdict ${JSON.stringify(last)}`);
  }
}

/** The branch's `system.alarm_raised` records named `name` (details of each), from its audit trail. */
async function branchAlarms(name: string): Promise<string[]> {
  const r = await clerk.request('GET', '/api/audit?action=system.alarm_raised&limit=500');
  assert.equal(r.status, 200);
  const records = r.json['records'] as Array<{ details?: { alarm?: string; detail?: string } }>;
  return records.filter((e) => e.details?.alarm === name).map((e) => String(e.details?.detail ?? ''));
}

async function restartBranch(): Promise<void> {
  app = await startAppliance(dataDir, { env: env() });
  clerk = new ApiClient(app.base);
  assert.equal((await clerk.login('witness.clerk', CLERK_PASSWORD)).status, 200);
}

before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-witness-life-'));
  hq = await startHqCouch({ dataDir: hqDir });
  hqConsole = new HqConsole(hq, hqDir);
  proxy = await FaultProxy.start({ port: hq.port });
  const tmp = await tempDataDir('bl-witness-life-');
  cleanup = tmp.cleanup;
  dataDir = tmp.dir;
  app = await startAppliance(dataDir, { env: env() });
  const { admin } = await bootstrapAdmin(app);
  const role = await admin.request('POST', '/api/roles', {
    id: 'witness-clerk',
    description: 'creates customers and reads the audit trail',
    permissions: ['audit.read', 'customers.read', 'customers.write'],
  });
  assert.equal(role.status, 201, JSON.stringify(role.json));
  clerk = (await createSignedInUser(admin, 'witness.clerk', ['witness-clerk'], CLERK_PASSWORD)).client;
});

after(async () => {
  await app?.stop();
  await proxy?.close();
  await hqConsole?.close();
  await hq?.close();
  await cleanup?.();
  await rm(hqDir, { recursive: true, force: true });
});

test("the witness stays ok across an HQ rules change, an appliance restart and a link cut, with the branch's key pinned on first use", async () => {
  await audited(5);
  let seen = await witnessedBeyond(5, 'the first verdict');
  const pins = JSON.parse(await readFile(path.join(hqDir, 'branch-keys.json'), 'utf8'));
  assert.equal(pins[BRANCH]?.key, await readAuditPublicKey(dataDir), 'HQ pinned the key of the branch head');

  // What `PUT /api/branches/<id>/rules` does: HQ's validate_doc_update lands in every branch db.
  await hqConsole.enrolBranch(BRANCH, { maxBytes: 65_536, forbiddenFields: ['cardNumber'] });
  assert.deepEqual((await hqConsole.rules(BRANCH)).forbiddenFields, ['cardNumber']);
  await audited(5);
  seen = await witnessedBeyond(seen.records ?? 0, 'the head to move on at HQ under HQ rules');

  await app.stop();
  await restartBranch();
  await audited(5);
  seen = await witnessedBeyond(seen.records ?? 0, 'the head to move on at HQ after a restart');

  proxy.cut();
  await audited(5);
  proxy.heal();
  await witnessedBeyond(seen.records ?? 0, 'the head to move on at HQ after a link cut');

  // The branch writes its status doc every 5 s and it replicates like any other: wait for it.
  const view = await until(
    "HQ's view of the branch to be ok",
    async () => {
      const v = await hqConsole.branchView(BRANCH);
      return v.health === 'ok' ? v : undefined;
    },
    { timeoutMs: 30_000, everyMs: 250 },
  ).catch(async (e: unknown) => {
    throw new Error(
      `${String(e)}: ${JSON.stringify(await hqConsole.branchView(BRANCH))} ${app.stderr().slice(-4000)}`,
    );
  });
  assert.equal(view.health, 'ok');
  assert.deepEqual(await branchAlarms('audit.witness_failed'), []);
  assert.deepEqual(await branchAlarms('sync.audit_head_refused'), []);
});

test('a record tampered with at HQ fails the witness with its own alarm at HQ and at the branch, not "stale"', async () => {
  const db = hq.db(`b-${BRANCH}-audit`);
  const recs = await db.allDocs({ startkey: 'rec:', endkey: 'rec:\uffff', include_docs: true });
  const victim = recs.rows[3]?.doc;
  assert.ok(victim);
  await db.put({ ...victim, action: 'customer.shredded' });
  const failed = await witness();
  assert.equal(failed.ok, false);
  assert.ok(
    failed.problems.some((p) => /hash|chain|record/i.test(p)),
    failed.problems.join('; '),
  );
  const row = await hqConsole.branchView(BRANCH);
  assert.equal(row.health, 'witness_failed');
  assert.equal(row.witness?.ok, false);
  const alarms = await until(
    'the branch alarm for the failed witness',
    async () => {
      const a = await branchAlarms('audit.witness_failed');
      return a.length > 0 ? a : undefined;
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  assert.equal(alarms.length, 1);
  assert.match(alarms[0] ?? '', /hash|chain|record/i);

  // HQ puts the record back: the witness verifies again.
  const cur = await db.get(victim._id);
  await db.put({ ...victim, _rev: String(cur._rev) });
  assert.equal((await witness()).ok, true);
  await until('HQ to show the branch ok again', async () =>
    (await hqConsole.branchView(BRANCH)).health === 'ok' ? true : undefined,
  );
});

test('a record tampered with in the branch outbound database fails the witness with its own alarm at both ends', async () => {
  await app.stop();
  // What an insider with the disk could do: edit the copy the branch pushes to HQ.
  const outbound = new PouchDB(path.join(dataDir, 'db', 'outbound-audit'));
  const recs = await outbound.allDocs({ startkey: 'rec:', endkey: 'rec:\uffff', include_docs: true });
  const victim = recs.rows[7]?.doc;
  assert.ok(victim);
  await outbound.put({ ...victim, action: 'customer.shredded' });
  await outbound.close();
  await restartBranch();
  const failed = await until(
    'the tampered record to reach HQ',
    async () => {
      const w = await witness();
      return w.ok ? undefined : w;
    },
    { timeoutMs: 30_000, everyMs: 500 },
  );
  assert.ok(
    failed.problems.some((p) => /hash|chain|record/i.test(p)),
    failed.problems.join('; '),
  );
  assert.equal((await hqConsole.branchView(BRANCH)).health, 'witness_failed');
  await until(
    'a second branch alarm for the failed witness',
    async () => ((await branchAlarms('audit.witness_failed')).length >= 2 ? true : undefined),
    { timeoutMs: 20_000, everyMs: 250 },
  );
});
