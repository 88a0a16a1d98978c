// The rig of the recording-archive e2e tests: the real embedded HQ (auth on, R1 and R2 enrolled,
// R1's policy archive-before-purge) behind a FaultProxy as the WAN, one real appliance as branch R1
// (restartable, its wall clock movable ahead for retention), sipp trunk calls that it records.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  defaultPolicy,
  FaultProxy,
  HqConsole,
  type HqCouch,
  signPolicy,
  startHqCouch,
} from '../../sync/src/index.ts';
import { INBOUND_FLOW, makeAudio, routeAllTo, TESTDATA } from '../voice-support/e2e.ts';
import { run } from '../voice-support/util.ts';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './bootstrap.ts';
import { ApiClient } from './client.ts';
import { freePort } from './ports.ts';
import { until } from './until.ts';

export const BRANCH = 'R1';
export const CHUNK = 2048;
const OPS_PASSWORD = 'arc ops password 1';
type Dir = { dir: string; cleanup: () => Promise<void> };

export class ArchiveRig {
  hqDir = '';
  hq!: HqCouch;
  con!: HqConsole;
  proxy!: FaultProxy;
  app: RunningAppliance | undefined;
  ops: ApiClient | undefined;
  data!: Dir;
  work!: Dir;
  own!: { username: string; password: string };
  other!: { username: string; password: string };
  /** Calls already recorded (recordedCall() returns the next new one). */
  readonly seen = new Set<string>();
  /** The wall clock the appliance runs ahead by: each purge moves it 200 days on (retention is 180). */
  clockAheadMs = 0;

  get running(): RunningAppliance {
    return this.app as RunningAppliance;
  }

  get client(): ApiClient {
    return this.ops as ApiClient;
  }

  legFile(callId: string): string {
    return path.join(this.data.dir, 'recordings', callId, 'customer.blrec');
  }

  async sha256(p: string): Promise<string> {
    return createHash('sha256')
      .update(await readFile(p))
      .digest('hex');
  }

  #scenario(): string {
    return path.join(this.work.dir, 'call.xml');
  }

  #bundle(b: string) {
    return JSON.parse(readFileSync(path.join(this.hqDir, 'enrolment', `${b}.json`), 'utf8')) as {
      username: string;
      password: string;
    };
  }

  async start(): Promise<void> {
    this.hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-arc-'));
    this.hq = await startHqCouch({ dataDir: this.hqDir, auth: true });
    this.con = new HqConsole(this.hq, this.hqDir);
    await this.con.enrolBranch(BRANCH);
    await this.con.enrolBranch('R2');
    this.own = this.#bundle(BRANCH);
    this.other = this.#bundle('R2');
    // HQ's policy for R1: recordings are archived before the branch purges them.
    const policy = defaultPolicy();
    policy.version = 2;
    policy.classes.recordings = { fields: {}, archive: 'archive-before-purge' };
    await this.con.issuePolicy(BRANCH, signPolicy(policy, (await this.con.keys()).control));
    this.proxy = await FaultProxy.start({ port: this.hq.port });
    this.data = await tempDataDir('bl-arc-');
    this.work = await tempDataDir('bl-arc-work-');
    await makeAudio(this.work.dir);
    // voice.e2e's trunk call into the IVR, 7 s of caller audio instead of 14.
    const xml = (await readFile(path.join(TESTDATA, 'trunk-call.xml'), 'utf8')).replace(
      '<pause milliseconds="14000"/>',
      '<pause milliseconds="7000"/>',
    );
    assert.ok(xml.includes('7000'));
    await writeFile(this.#scenario(), xml);
    await this.boot();
    const { admin } = await bootstrapAdmin(this.running);
    // One operator without MFA (no built-in privileged role), signed in again after each restart.
    const role = await admin.request('POST', '/api/roles', {
      id: 'arc-ops',
      description: 'reads recordings, the SIP status and the audit trail',
      permissions: ['audit.read', 'contacts.monitor', 'system.manage'],
    });
    assert.equal(role.status, 201);
    this.ops = (await createSignedInUser(admin, 'arc.ops', ['arc-ops'], OPS_PASSWORD)).client;
    await routeAllTo(admin, { id: 'sales', name: 'Sales' }, INBOUND_FLOW);
  }

  async close(): Promise<void> {
    await this.app?.stop();
    await this.proxy?.close();
    await this.con?.close();
    await this.hq?.close();
    await this.data?.cleanup();
    await this.work?.cleanup();
    if (this.hqDir) await rm(this.hqDir, { recursive: true, force: true });
  }

  /** Starts the appliance on the same data dir (new ports) and signs the operator in again. */
  async boot(): Promise<void> {
    const app = await startAppliance(this.data.dir, {
      env: {
        ...(this.clockAheadMs
          ? {
              NODE_OPTIONS: `--import ${pathToFileURL(path.join(ROOT, 'tests/support/shifted-clock.mjs')).href}`,
              BL_TEST_CLOCK_OFFSET_MS: String(this.clockAheadMs),
            }
          : {}),
        BRANCHLINE_HQ_URL: this.proxy.url,
        BRANCHLINE_BRANCH_ID: BRANCH,
        BRANCHLINE_HQ_CREDENTIALS_FILE: path.join(this.hqDir, 'enrolment', `${BRANCH}.json`),
        BRANCHLINE_HTTPS: 'off',
        BRANCHLINE_SIP_TRUNKS: 'sipp=127.0.0.1',
        BRANCHLINE_ARCHIVE_CHUNK_BYTES: String(CHUNK),
        BRANCHLINE_ARCHIVE_INTERVAL_SECONDS: '1',
      },
    });
    this.app = app;
    if (!this.ops) return; // first start: the operator does not exist yet
    this.ops = new ApiClient(app.base);
    assert.equal((await this.ops.login('arc.ops', OPS_PASSWORD)).status, 200);
  }

  /** One 7 s sipp trunk call into the IVR; returns the new recording's call id once it is finished. */
  async recordedCall(): Promise<string> {
    const status = await this.client.request('GET', '/api/voice/status');
    assert.equal(status.status, 200);
    const [sippPort, mediaPort] = [await freePort(), await freePort()];
    // Rejects when sipp fails.
    await run(
      'sipp',
      [
        ...[`127.0.0.1:${status.json['sip'].port}`, '-sf', this.#scenario(), '-m', '1', '-i', '127.0.0.1'],
        ...[
          '-p',
          String(sippPort),
          '-mp',
          String(mediaPort),
          '-timeout',
          '60s',
          '-nostdin',
          '-timeout_error',
        ],
      ],
      { cwd: this.work.dir },
    );
    const callId = await until(
      'the call’s recording finished',
      async () => {
        const r = await this.client.request('GET', '/api/voice/recordings?limit=50');
        const rec = (r.json['recordings'] as Array<{ callId: string; status: string }>).find(
          (x) => !this.seen.has(x.callId) && x.status === 'complete',
        );
        return rec?.callId;
      },
      { timeoutMs: 20_000 },
    );
    this.seen.add(callId);
    return callId;
  }

  /** The branch audited `recording.archived` for the call (it marks it archived just before). */
  archivedAudit(callId: string, timeoutMs = 30_000) {
    return until(
      `recording.archived audited for ${callId}`,
      async () => {
        const r = await this.client.request(
          'GET',
          '/api/audit?action=recording.archived&order=desc&limit=100',
        );
        assert.equal(r.status, 200);
        const recs = (r.json['records'] ?? []) as Array<Record<string, unknown>>;
        return recs.find((x) => JSON.stringify(x).includes(callId));
      },
      { timeoutMs, everyMs: 200 },
    );
  }

  /**
   * The appliance's own retention purge, 200 days after the call (default retention 180 days):
   * restarted with its wall clock 200 days further ahead (tests/support/shifted-clock.mjs; it stays
   * ahead, later calls are recorded on that clock), one pass run through the API. Returns why the
   * recording was kept, or undefined when it went.
   */
  async purgeKeeps(callId: string): Promise<string[] | undefined> {
    await this.running.stop();
    this.clockAheadMs += 200 * 86_400_000;
    await this.boot();
    const pass = await this.client.request('POST', '/api/voice/recordings-retention/run');
    assert.equal(pass.status, 200, JSON.stringify(pass.json));
    const kept = (pass.json['kept'] as Array<{ callId: string; reasons: string[] }>).find(
      (k) => k.callId === callId,
    );
    const file = await stat(this.legFile(callId)).catch(() => undefined);
    assert.equal(file !== undefined, kept !== undefined, 'the files go with the index, and only then');
    return kept?.reasons;
  }
}
