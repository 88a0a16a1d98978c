// Issue 11, fleet dashboard: HQ (real pouchdb-server with branch credentials,
// the console over HTTP with a TOTP-signed-in operator) watching two branches:
// FA a real appliance, FB a scripted branch that writes its status doc and
// contact audit records through HQ's replication port with its own
// credentials. Each row must show what its branch reported; a branch that
// stops goes offline and is alerted, a lagging one is alerted.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'otpauth';
import { HqConsole, type HqCouch, startHqCouch } from '../sync/src/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { until } from './support/until.ts';

let hqDir: string;
let couch: HqCouch;
let hq: HqConsole;
let consoleUrl: string;
let fa: RunningAppliance;
let cleanup: () => Promise<void>;
let cookie = '';
let csrf = '';
let fbTimer: NodeJS.Timeout | undefined;
const BACKUP_AGE_H = 3;

// biome-ignore lint/suspicious/noExplicitAny: tests read response fields ad hoc; assertions check them.
type Json = Record<string, any>;

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(consoleUrl + url, {
    method,
    redirect: 'manual',
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const set = res.headers.get('set-cookie');
  if (set) cookie = set.split(';')[0] ?? '';
  const text = await res.text();
  const json = (text.startsWith('{') ? JSON.parse(text) : {}) as Json;
  if (typeof json['csrfToken'] === 'string') csrf = json['csrfToken'];
  return { status: res.status, json, text };
}

/** A branch's replication credentials from its enrolment bundle, as HTTP basic. */
function branchAuth(branch: string): Record<string, string> {
  const c = JSON.parse(readFileSync(path.join(hqDir, 'enrolment', `${branch}.json`), 'utf8')) as Json;
  return { authorization: `Basic ${Buffer.from(`${c['username']}:${c['password']}`).toString('base64')}` };
}

/** What HQ's replication port holds at `p`, read with that branch's credentials. */
async function asBranch(branch: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${couch.url}${p}`, {
    method,
    headers: { ...branchAuth(branch), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** The scripted branch FB's status doc, replaced every 2 s as the appliance does every 5 s. */
const fbStatus = {
  branchId: 'FB',
  lagDocs: 7,
  lagSeconds: 3,
  quarantined: 2,
  quarantine: [],
  policyVersion: 1,
  applianceVersion: '0.0.9-scripted',
  system: { cpuLoad: 12.5, memUsedPct: 40.1, diskFreePct: 77.7 },
  certificates: { server: '2027-03-01T00:00:00.000Z', hqClient: '2026-12-31T00:00:00.000Z' },
  lastBackupAt: new Date(Date.now() - 5 * 3600_000).toISOString(),
  openAlarms: 1,
  alarms: [{ alarm: 'sync.replication_stalled', severity: 'warning', at: new Date().toISOString() }],
};

async function writeFbStatus(): Promise<void> {
  const cur = await asBranch('FB', 'GET', '/b-FB-status/status');
  const r = await asBranch('FB', 'PUT', '/b-FB-status/status', {
    ...fbStatus,
    at: new Date().toISOString(),
    ...(cur.status === 200 ? { _rev: cur.json['_rev'] } : {}),
  });
  assert.ok(r.status === 201 || r.status === 409, JSON.stringify(r.json));
}

/** First sign-in of HQ's initial operator: one-time password, new password, TOTP set-up. */
async function signIn(): Promise<void> {
  const password = readFileSync(path.join(hqDir, 'initial-operator-password'), 'utf8').trim();
  assert.equal((await call('POST', '/api/session', { username: 'admin', password })).status, 200);
  assert.equal(
    (await call('POST', '/api/password', { current: password, next: 'fleet operator passphrase 1' })).status,
    200,
  );
  const mfaPage = (await call('GET', '/mfa')).text;
  const totp = URI.parse(
    /data-testid="hq-mfa-uri">([^<]+)</.exec(mfaPage)?.[1]?.replace(/&#38;/g, '&') ?? '',
  );
  assert.equal((await call('POST', '/api/mfa', { code: totp.generate() })).status, 200);
}

before(async () => {
  hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-fleet-'));
  couch = await startHqCouch({ dataDir: hqDir, auth: true });
  hq = new HqConsole(couch, hqDir);
  hq.fleetThresholds = { silentAfterS: 15, lagSeconds: 60, lagDocs: 500 };
  await hq.enrolBranch('FA');
  await hq.enrolBranch('FB');
  consoleUrl = `http://127.0.0.1:${await hq.listen(0)}`;
  await signIn();
  const tmp = await tempDataDir('bl-fleet-fa-');
  cleanup = tmp.cleanup;
  // A backup archive three hours old: the branch reports its age from the file.
  mkdirSync(path.join(tmp.dir, 'backups'), { recursive: true });
  const archive = path.join(tmp.dir, 'backups', 'branchline-20260101T000000Z.blbak');
  writeFileSync(archive, 'not a real archive');
  // A whole second: the file system keeps sub-millisecond times that Date would round.
  const then = new Date(Math.floor((Date.now() - BACKUP_AGE_H * 3600_000) / 1000) * 1000);
  utimesSync(archive, then, then);
  fa = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_HQ_URL: couch.url,
      BRANCHLINE_BRANCH_ID: 'FA',
      BRANCHLINE_HQ_CREDENTIALS_FILE: path.join(hqDir, 'enrolment', 'FA.json'),
    },
  });
  // As PouchDB does before its first push: create the database if it is not there (412 when it is).
  assert.ok([201, 412].includes((await asBranch('FB', 'PUT', '/b-FB-status')).status));
  await writeFbStatus();
  fbTimer = setInterval(() => void writeFbStatus().catch(() => undefined), 2_000);
  // FB's contacts of one day, as audit records: one answered in 15 s, handled 100 s, CSAT 5; one abandoned.
  const day = '2026-11-30';
  const recs = [
    ['contact.queued', { contactId: 'k1', queuedAt: `${day}T09:00:00.000Z`, at: `${day}T09:00:00.000Z` }],
    ['contact.active', { contactId: 'k1', queuedAt: `${day}T09:00:00.000Z`, at: `${day}T09:00:15.000Z` }],
    ['contact.closed', { contactId: 'k1', queuedAt: `${day}T09:00:00.000Z`, at: `${day}T09:01:55.000Z` }],
    ['contact.csat_recorded', { contactId: 'k1', score: 5 }],
    ['contact.queued', { contactId: 'k2', queuedAt: `${day}T10:00:00.000Z`, at: `${day}T10:00:00.000Z` }],
    ['contact.abandoned', { contactId: 'k2', queuedAt: `${day}T10:00:00.000Z`, at: `${day}T10:00:40.000Z` }],
  ] as const;
  const bulk = await asBranch('FB', 'POST', '/b-FB-audit/_bulk_docs', {
    docs: recs.map(([action, details], i) => ({
      _id: `rec:${String(i + 1).padStart(12, '0')}`,
      seq: i + 1,
      at: `${day}T12:00:0${i}.000Z`,
      actor: 'system',
      action,
      details,
    })),
  });
  assert.equal(bulk.status, 201, JSON.stringify(bulk.json));
});

after(async () => {
  clearInterval(fbTimer);
  await fa?.stop();
  await hq?.close();
  await couch?.close();
  await cleanup?.();
  await rm(hqDir, { recursive: true, force: true });
});

/** The row of `branch` in GET /api/fleet once `ready` holds for it. */
async function fleetRowWhen(branch: string, what: string, ready: (row: Json, all: Json) => boolean) {
  let last: Json = {};
  try {
    return await until(
      what,
      async () => {
        last = (await call('GET', '/api/fleet')).json;
        const row = (last['rows'] as Json[] | undefined)?.find((r) => r['branch'] === branch);
        return row && ready(row, last) ? { row, all: last } : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(last)} ${fa.stderr().slice(-2000)}`);
  }
}

/** The `data-field` cells of one row of the fleet page. */
function cells(html: string, branch: string): Record<string, string> {
  const row = new RegExp(`<tr data-testid="fleet-row-${branch}"[^>]*>(.*?)</tr>`).exec(html)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of row.matchAll(/<td data-field="(\w+)"[^>]*>(.*?)<\/td>/g))
    out[m[1] as string] = (m[2] as string).replace(/<[^>]+>/g, '');
  return out;
}

test('the fleet dashboard shows each branch as it reported itself, with KPIs across branches, in en and zh-CN', async () => {
  assert.equal((await fetch(`${consoleUrl}/api/fleet`)).status, 401, 'no session, no fleet');
  // The witness runs every minute in `npm run hq`; here the operator asks for it (as the console's route does).
  const { row: fa1 } = await fleetRowWhen(
    'FA',
    'FA to report its figures',
    (r) => r['online'] && !!r['system'],
  );
  await until(
    "the witness to verify FA's replicated audit",
    async () => ((await call('GET', '/api/branches/FA/witness')).json['ok'] === true ? true : undefined),
    { timeoutMs: 45_000, everyMs: 1_000 },
  );
  const { row: faRow } = await fleetRowWhen('FA', 'the witness verdict for FA', (r) => !!r['witness']);
  const reported = (await asBranch('FA', 'GET', '/b-FA-status/status')).json;
  const health = (await (await fetch(`${fa.base}/healthz`)).json()) as Json;
  assert.equal(faRow['applianceVersion'], health['version']);
  assert.equal(faRow['applianceVersion'], reported['applianceVersion']);
  assert.deepEqual(Object.keys(faRow['system']).sort(), ['cpuLoad', 'diskFreePct', 'memUsedPct']);
  for (const k of ['cpuLoad', 'memUsedPct', 'diskFreePct'])
    assert.equal(typeof faRow['system'][k], 'number', `${k} from the appliance's health`);
  assert.equal(fa1['online'], true);
  const cert = new X509Certificate(readFileSync(path.join(fa.dataDir, 'tls', 'server.crt')));
  assert.equal(faRow['certExpiresAt'], new Date(cert.validTo).toISOString());
  const mtime = statSync(path.join(fa.dataDir, 'backups', 'branchline-20260101T000000Z.blbak')).mtime;
  assert.equal(faRow['lastBackupAt'], mtime.toISOString());
  assert.ok(Math.abs(faRow['backupAgeHours'] - BACKUP_AGE_H) <= 0.2, `backup age ${faRow['backupAgeHours']}`);
  assert.equal(typeof faRow['openAlarms'], 'number');
  assert.equal(faRow['quarantined'], reported['quarantined']);
  assert.equal(faRow['witness']['ok'], true, JSON.stringify(faRow['witness']));
  assert.ok(faRow['witness']['records'] > 0);
  // Figures and names only: the status doc carries no person, no alarm detail.
  assert.equal(JSON.stringify(reported).includes('detail'), false);

  const { row: fbRow, all } = await fleetRowWhen('FB', 'FB to be seen', (r) => r['online']);
  assert.equal(fbRow['applianceVersion'], fbStatus.applianceVersion);
  assert.equal(fbRow['lagDocs'], 7);
  assert.ok(fbRow['lagSeconds'] >= 3 && fbRow['lagSeconds'] <= 6, String(fbRow['lagSeconds']));
  assert.equal(fbRow['quarantined'], 2);
  assert.deepEqual(fbRow['system'], fbStatus.system);
  assert.equal(fbRow['certExpiresAt'], fbStatus.certificates.hqClient, 'the earliest certificate');
  assert.equal(fbRow['certName'], 'hqClient');
  assert.equal(fbRow['openAlarms'], 1);
  assert.equal(fbRow['witness'], undefined);
  const day = (all['days'] as Json[]).find((d) => d['day'] === '2026-11-30');
  assert.deepEqual(
    {
      contacts: day?.['contacts'],
      answerRate: day?.['answerRate'],
      ahtSeconds: day?.['ahtSeconds'],
      serviceLevel: day?.['serviceLevel'],
      abandonRate: day?.['abandonRate'],
      csat: day?.['csat'],
    },
    { contacts: 2, answerRate: 0.5, ahtSeconds: 100, serviceLevel: 0.5, abandonRate: 0.5, csat: 5 },
  );
  assert.deepEqual((await call('GET', '/api/fleet/alerts')).json['alerts'], []);

  const en = (await call('GET', '/fleet', undefined, { 'accept-language': 'en-GB,en;q=0.9' })).text;
  assert.match(en, /<html lang="en">/);
  assert.deepEqual(
    {
      state: cells(en, 'FB')['state'],
      lagDocs: cells(en, 'FB')['lagDocs'],
      quarantined: cells(en, 'FB')['quarantined'],
      version: cells(en, 'FB')['version'],
      cpu: cells(en, 'FB')['cpu'],
      certExpiresAt: cells(en, 'FB')['certExpiresAt'],
      openAlarms: cells(en, 'FB')['openAlarms'],
    },
    {
      state: 'online',
      lagDocs: '7',
      quarantined: '2',
      version: '0.0.9-scripted',
      cpu: '12.5',
      certExpiresAt: fbStatus.certificates.hqClient,
      openAlarms: '1',
    },
  );
  assert.equal(cells(en, 'FA')['version'], health['version']);
  assert.match(
    en,
    /<tr data-testid="fleet-kpi-2026-11-30"><td>2026-11-30<\/td><td data-field="contacts">2<\/td>/,
  );
  const zh = (await call('GET', '/fleet', undefined, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' })).text;
  assert.match(zh, /<html lang="zh-CN">/);
  assert.equal(cells(zh, 'FA')['state'], '在线');
  assert.match(zh, /接通率/);
  const detail = (await call('GET', '/fleet/FB?lang=zh-CN')).text;
  assert.match(detail, /sync\.replication_stalled/);
  assert.equal((await call('GET', '/fleet/NOPE')).status, 404);
});

test('a lagging branch and branches gone silent are alerted on the page and in the monitoring JSON', async () => {
  fbStatus.lagSeconds = 120;
  const lagging = await until(
    'FB to be alerted as lagging',
    async () => {
      const a = (await call('GET', '/api/fleet/alerts')).json['alerts'] as Json[];
      return a.find((x) => x['branch'] === 'FB' && x['kind'] === 'lagging');
    },
    { timeoutMs: 20_000, everyMs: 500 },
  );
  // The reported 120 s plus the status doc's age, since docs are pending (under the 30 s silence limit).
  const seconds = Number(/, (\d+) s \(limits/.exec(lagging['detail'])?.[1]);
  assert.ok(seconds >= 120 && seconds < 150, lagging['detail']);

  clearInterval(fbTimer);
  await fa.stop();
  const alerts = await until(
    'both branches to go silent',
    async () => {
      const a = (await call('GET', '/api/fleet/alerts')).json['alerts'] as Json[];
      const silent = a.filter((x) => x['kind'] === 'silent').map((x) => x['branch']);
      return silent.includes('FA') && silent.includes('FB') ? a : undefined;
    },
    { timeoutMs: 45_000, everyMs: 1_000 },
  );
  assert.equal(alerts.filter((x) => x['kind'] === 'lagging').length, 0, 'silent wins over lagging');
  const rows = (await call('GET', '/api/fleet')).json['rows'] as Json[];
  assert.deepEqual(
    rows.map((r) => [r['branch'], r['online']]),
    [
      ['FA', false],
      ['FB', false],
    ],
  );
  const page = (await call('GET', '/fleet?lang=en')).text;
  assert.equal(cells(page, 'FA')['state'], 'offline');
  assert.match(page, /data-testid="fleet-alert" data-branch="FA" data-kind="silent"/);
  assert.match(page, /data-testid="fleet-alert" data-branch="FB" data-kind="silent"/);
});
