import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { signControl } from '../control.ts';
import type { SignedPolicy } from '../policy.ts';
import type { PouchDb, PouchDoc } from '../pouch.ts';
import { HqAuth, type HqAuthOptions } from './auth.ts';
import { BranchEnrolment, type HqLink } from './branch-enrolment.ts';
import { BranchKeys } from './branch-keys.ts';
import { routeConsole } from './console-api.ts';
import type { HqCouch } from './couch.ts';
import { writeEnrolmentBundle } from './enrolment.ts';
import { HqError } from './errors.ts';
import { DEFAULT_FLEET_THRESHOLDS, type FleetThresholds } from './fleet.ts';
import { type HqKeys, loadHqKeys } from './hq-keys.ts';
import { sendError, sendJson } from './http-util.ts';
import { type BranchKpis, branchKpis } from './kpis.ts';
import { type IssuedPolicy, PolicyLog } from './policy-log.ts';
import { fieldOf, type RecordClass, type RecordField, type RevealRequest, revealField } from './reveal.ts';
import { HQ_RULES_DDOC, type HqRules, installHqRules } from './validation.ts';
import { AuditWitness, type WitnessReport } from './witness.ts';

export interface ReportedQuarantine {
  cls: string;
  docId: string;
  rev: string;
  reason: string;
  at: string;
  /** Set by the branch once it has HQ's release request for this document. */
  releaseRequest?: { note: string; by: string; at: string };
}

export interface BranchView {
  branch: string;
  lastSeen?: string;
  secondsSinceSeen?: number;
  lagDocs?: number;
  lagSeconds?: number;
  quarantined?: number;
  /** Documents HQ refused, as the branch reports them in its status doc (newest first). */
  quarantine: ReportedQuarantine[];
  /** The residency policy version the branch runs. */
  policyVersion?: number;
  /** `witness_failed` (the audit witness's alarm) wins over `stale` (not seen for 2 min). */
  health: 'ok' | 'stale' | 'unknown' | 'witness_failed';
  docs: Record<string, number>;
  kpis: BranchKpis;
  /** The audit witness's latest verdict for the branch, when it ran. */
  witness?: WitnessReport;
}

// No logger in sync/ (it must not import appliance internals): stderr, as hq-main does.
function log(line: string): void {
  process.stderr.write(`hq-console: ${line}\n`);
}

/**
 * HQ console and API: branches (last seen, lag, quarantine), audit witness,
 * freezes, per-branch document rules, release requests. Every route needs an
 * operator session (see HqAuth).
 */
export class HqConsole {
  readonly #couch: HqCouch;
  readonly #dataDir: string;
  readonly witness = new AuditWitness();
  readonly #witnessed = new Map<string, WitnessReport>();
  /** When each branch's verdict in #witnessed was reached (the fleet dashboard shows it). */
  readonly #witnessedAt = new Map<string, string>();
  readonly #policies: PolicyLog;
  readonly #keys: BranchKeys;
  #hqKeys: Promise<HqKeys> | undefined;
  #server: http.Server | https.Server | undefined;
  /** Operator accounts, sessions and the operator audit log. */
  readonly auth: HqAuth;
  /** "Add branch" (one-time join bundles) and the minimal policy editor. */
  readonly enrolment: BranchEnrolment;

  constructor(couch: HqCouch, dataDir: string, options: { auth?: HqAuthOptions; link?: HqLink } = {}) {
    this.#couch = couch;
    this.#dataDir = dataDir;
    this.auth = new HqAuth(dataDir, options.auth);
    this.#policies = new PolicyLog(couch.db('hq-policy-log'));
    this.#keys = new BranchKeys(dataDir, log);
    this.enrolment = new BranchEnrolment(couch, options.link, {
      keys: () => this.keys(),
      prepare: (branch) => this.enrolBranch(branch),
      issuePolicy: (branch, signed, by) => this.issuePolicy(branch, signed, by),
    });
  }

  /**
   * Prepares HQ for a branch: its databases exist and carry HQ's
   * `validate_doc_update` rules, so documents HQ does not accept are refused
   * per document (and quarantined by the branch) rather than stored.
   */
  async enrolBranch(branch: string, rules: HqRules = {}): Promise<void> {
    if (!/^[A-Za-z0-9_-]+$/.test(branch)) throw new RangeError(`invalid branch id: ${branch}`);
    for (const cls of ['tickets', 'crm', 'audit'])
      await installHqRules(this.#couch.db(`b-${branch}-${cls}`), rules);
    // The inbound db exists before the branch's first pull (a branch may not create databases).
    await this.#couch.db(`b-${branch}-inbound`).info();
    // So is the status db: on Apache CouchDB a branch cannot create databases (docs/hq-couchdb.md).
    await this.#couch.db(`b-${branch}-status`).info();
    // First enrolment only (a rules change enrols again): credentials, kept hashed at HQ.
    if (!this.#couch.credentials.has(branch)) {
      const file = writeEnrolmentBundle(
        this.#dataDir,
        this.#couch.credentials.issue(branch),
        await this.keys(),
      );
      log(`branch enrolled [branch:${branch}]: hand ${file} to the branch (BRANCHLINE_HQ_CREDENTIALS_FILE)`);
    }
  }

  /** HQ's control (signing) and sealing keys, created under the data dir on first use. */
  keys(): Promise<HqKeys> {
    this.#hqKeys ??= loadHqKeys(this.#dataDir);
    return this.#hqKeys;
  }

  /**
   * Issues a signed residency policy to a branch: appended to HQ's policy log
   * (one immutable doc per version) and delivered through the branch's inbound db.
   */
  async issuePolicy(branch: string, signed: SignedPolicy, issuedBy = 'hq'): Promise<IssuedPolicy> {
    const entry = await this.#policies.append(branch, signed, issuedBy);
    const inbound = this.#couch.db(`b-${branch}-inbound`);
    const cur = await inbound.get('policy').catch(() => undefined);
    await inbound.put({
      _id: 'policy',
      ...(cur?._rev ? { _rev: cur._rev } : {}),
      type: 'policy',
      signed,
      at: entry.issuedAt,
    });
    return entry;
  }

  /** HQ's log of issued policies. */
  policies(): Promise<IssuedPolicy[]> {
    return this.#policies.list();
  }

  branches(): string[] {
    const dir = path.join(this.#dataDir, 'couch');
    const ids = new Set<string>();
    for (const n of existsSync(dir) ? readdirSync(dir) : []) {
      const m = /^b-([A-Za-z0-9_]+)-/.exec(n);
      if (m?.[1]) ids.add(m[1]);
    }
    return [...ids].sort();
  }

  async branchView(branch: string): Promise<BranchView> {
    const docs: Record<string, number> = {};
    for (const cls of ['tickets', 'crm', 'audit']) {
      docs[cls] = (await this.#couch.db(`b-${branch}-${cls}`).info()).doc_count;
    }
    const kpis = await branchKpis(this.#couch.db(`b-${branch}-tickets`), this.#couch.db(`b-${branch}-audit`));
    const witness = this.#witnessed.get(branch);
    const base = { branch, docs, kpis, quarantine: [], ...(witness ? { witness } : {}) };
    const status = await this.#couch
      .db(`b-${branch}-status`)
      .get('status')
      .catch(() => undefined);
    const witnessFailed = witness !== undefined && !witness.ok;
    if (!status) return { ...base, health: witnessFailed ? 'witness_failed' : 'unknown' };
    const seen = Date.parse(String(status['at']));
    const secondsSinceSeen = Math.round((Date.now() - seen) / 1000);
    const lagSeconds = Number(status['lagSeconds'] ?? 0);
    return {
      ...base,
      lastSeen: String(status['at']),
      secondsSinceSeen,
      lagDocs: Number(status['lagDocs'] ?? 0),
      // The branch measured its lag when it wrote the status; the doc is itself this old.
      lagSeconds: lagSeconds + (Number(status['lagDocs'] ?? 0) > 0 ? secondsSinceSeen : 0),
      quarantined: Number(status['quarantined'] ?? 0),
      quarantine: (status['quarantine'] as ReportedQuarantine[] | undefined) ?? [],
      ...(typeof status['policyVersion'] === 'number' ? { policyVersion: status['policyVersion'] } : {}),
      health: witnessFailed ? 'witness_failed' : secondsSinceSeen < 120 ? 'ok' : 'stale',
    };
  }

  /** When the fleet dashboard calls a branch silent or lagging (fleet.ts); tests shorten it. */
  fleetThresholds: FleetThresholds = DEFAULT_FLEET_THRESHOLDS;

  /** The branch's last status doc as replicated to HQ (written by the branch every 5 s). */
  statusDoc(branch: string): Promise<PouchDoc | undefined> {
    return this.#couch
      .db(`b-${branch}-status`)
      .get('status')
      .catch(() => undefined);
  }

  /** The audit witness's last verdict for a branch and when it was reached. */
  witnessOf(branch: string): { report: WitnessReport; at: string } | undefined {
    const report = this.#witnessed.get(branch);
    const at = this.#witnessedAt.get(branch);
    return report && at ? { report, at } : undefined;
  }

  /** HQ's copy of one of a branch's outbound databases (read in-process). */
  branchDb(branch: string, cls: 'tickets' | 'crm' | 'audit' | 'status'): PouchDb {
    return this.#couch.db(`b-${branch}-${cls}`);
  }

  /** The branch's audit key as pinned at HQ (`<dataDir>/branch-keys.json`), else undefined. */
  pinnedKey(branch: string): string | undefined {
    return this.#keys.pinned(branch);
  }

  /**
   * Runs the audit witness on a branch (the key is pinned on first use from
   * its signed head). A change of verdict is logged and delivered to the
   * branch (`witness` doc in its inbound db), which raises its own alarm.
   */
  async verifyBranch(
    branch: string,
  ): Promise<WitnessReport | { branch: string; ok: false; problems: string[] }> {
    const db = this.#couch.db(`b-${branch}-audit`);
    const pin = await this.#keys.resolve(branch, db);
    if (!pin)
      return { branch, ok: false, problems: ['no_key: the branch has not published a signed head yet'] };
    const report = await this.witness.verify(branch, db, pin.key);
    if (pin.mismatch) {
      report.ok = false;
      report.problems.unshift(
        'key_changed: the branch head publishes an audit key other than the one pinned at HQ',
      );
    }
    const before = this.#witnessed.get(branch);
    this.#witnessed.set(branch, report);
    this.#witnessedAt.set(branch, new Date().toISOString());
    const changed = !before || before.ok !== report.ok || before.problems.join() !== report.problems.join();
    if (changed) await this.#deliverVerdict(branch, report);
    return report;
  }

  async #deliverVerdict(branch: string, report: WitnessReport): Promise<void> {
    if (!report.ok) log(`audit witness FAILED [branch:${branch}]: ${report.problems.join('; ')}`);
    else log(`audit witness ok [branch:${branch}, records:${report.records}]`);
    const inbound = this.#couch.db(`b-${branch}-inbound`);
    const cur = await inbound.get('witness').catch(() => undefined);
    await inbound.put({
      _id: 'witness',
      ...(cur?._rev ? { _rev: cur._rev } : {}),
      type: 'witness',
      ok: report.ok,
      problems: report.problems.slice(0, 20),
      records: report.records,
      checkpoints: report.checkpoints,
      at: new Date().toISOString(),
    });
  }

  /** Ids of a branch's records of one class at HQ (first `limit`, by id). */
  async recordIds(branch: string, cls: RecordClass, limit = 200): Promise<string[]> {
    const all = await this.#couch.db(`b-${branch}-${cls}`).allDocs({ limit: limit + 50 });
    return all.rows
      .map((r) => r.id)
      .filter((id) => !id.startsWith('_design/'))
      .slice(0, limit);
  }

  /** One record as HQ holds it, field by field: sealed fields as "sealed", tokens as tokens. */
  async record(
    branch: string,
    cls: RecordClass,
    docId: string,
  ): Promise<{ id: string; fields: Record<string, RecordField> } | undefined> {
    const doc = await this.#couch
      .db(`b-${branch}-${cls}`)
      .get(docId)
      .catch(() => undefined);
    if (!doc) return undefined;
    const f = (doc['f'] as Record<string, { v?: unknown; withheld?: boolean }> | undefined) ?? {};
    return {
      id: doc._id,
      fields: Object.fromEntries(Object.entries(f).map(([k, stamp]) => [k, fieldOf(stamp)])),
    };
  }

  /**
   * Opens one sealed field for an operator with the reveal right, logged at
   * HQ and witnessed to the branch by a signed `hq_reveal` notice (reveal.ts).
   */
  reveal(operator: string, request: RevealRequest): Promise<string> {
    return revealField(
      {
        accounts: this.auth.accounts,
        log: this.auth.log,
        keys: () => this.keys(),
        db: (name) => this.#couch.db(name),
      },
      operator,
      request,
    );
  }

  /** Writes an account freeze into the branch's inbound database; it applies on arrival. */
  async freeze(branch: string, username: string, reason: string): Promise<string> {
    const id = `freeze:${username}:${Date.now()}`;
    const doc = { _id: id, type: 'freeze', username, reason, at: new Date().toISOString() };
    // Signed with HQ's control key: the branch refuses (and alarms on) an unsigned or forged freeze.
    await this.#couch.db(`b-${branch}-inbound`).put(signControl(doc, branch, (await this.keys()).control));
    return id;
  }

  /** The HQ rules currently installed for a branch (what its documents must pass). */
  async rules(branch: string): Promise<HqRules> {
    const ddoc = await this.#couch
      .db(`b-${branch}-tickets`)
      .get(HQ_RULES_DDOC)
      .catch(() => undefined);
    return (ddoc?.['rules'] as HqRules | undefined) ?? {};
  }

  /**
   * Asks a branch to release a quarantined document (a note in its inbound
   * db). Only the branch decides: data residency keeps the document there.
   */
  async requestRelease(
    branch: string,
    request: { cls: string; docId: string; rev?: string; note: string },
    by: string,
  ): Promise<string> {
    const at = new Date().toISOString();
    const id = `release-request:${request.cls}:${request.docId}:${Date.now()}`;
    const doc = { _id: id, type: 'release_request', ...request, by, at };
    await this.#couch.db(`b-${branch}-inbound`).put(signControl(doc, branch, (await this.keys()).control));
    return id;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hq');
    const session = await this.auth.gate(req, res, url.pathname);
    if (!session) return;
    try {
      await routeConsole(this, req, res, { url, session });
    } catch (err) {
      if (err instanceof HqError) return sendError(res, err);
      throw err;
    }
  }

  /** First run: creates operator `admin` with a one-time password (also in `<dataDir>/initial-operator-password`). */
  ensureInitialOperator(): Promise<{ username: string; password: string; file: string } | undefined> {
    return this.auth.accounts.ensureInitial();
  }

  /**
   * Serves the console (sign-in required) on `host:port`; HTTPS when `tls`
   * is given, which a non-loopback bind needs for its Secure cookie.
   */
  async listen(
    port: number,
    host = '127.0.0.1',
    options: { tls?: { cert: Buffer; key: Buffer } } = {},
  ): Promise<number> {
    await this.ensureInitialOperator();
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#handle(req, res).catch((err: unknown) => {
        log(`console request failed [${req.method} ${req.url}]: ${String(err)}`);
        if (!res.headersSent)
          sendJson(res, 500, { error: { code: 'HQ_INTERNAL', message: 'Internal error' } });
        else res.end();
      });
    };
    const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
    this.#server = server;
    await new Promise<void>((r, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => r());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Idempotent. */
  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await this.auth.close();
  }
}
