import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { SignedPolicy } from '../policy.ts';
import type { HqCouch } from './couch.ts';
import { type BranchKpis, branchKpis } from './kpis.ts';
import { renderHqPage } from './page.ts';
import { type IssuedPolicy, PolicyLog } from './policy-log.ts';
import { type HqRules, installHqRules } from './validation.ts';
import { AuditWitness, type WitnessReport } from './witness.ts';

export interface ReportedQuarantine {
  cls: string;
  docId: string;
  rev: string;
  reason: string;
  at: string;
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
  health: 'ok' | 'stale' | 'unknown';
  docs: Record<string, number>;
  kpis: BranchKpis;
  /** The audit witness's latest verdict for the branch, when it ran. */
  witness?: WitnessReport;
}

/** HQ console and API: branches (last seen, lag, quarantine), audit witness, freezes. */
export class HqConsole {
  readonly #couch: HqCouch;
  readonly #dataDir: string;
  readonly witness = new AuditWitness();
  readonly #witnessed = new Map<string, WitnessReport>();
  readonly #policies: PolicyLog;
  #server: http.Server | undefined;

  constructor(couch: HqCouch, dataDir: string) {
    this.#couch = couch;
    this.#dataDir = dataDir;
    this.#policies = new PolicyLog(couch.db('hq-policy-log'));
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
    if (!status) return { ...base, health: 'unknown' };
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
      health: secondsSinceSeen < 120 && !(witness && !witness.ok) ? 'ok' : 'stale',
    };
  }

  /** The branch's audit key as registered at HQ (`<dataDir>/branch-keys.json`), else undefined. */
  pinnedKey(branch: string): string | undefined {
    const file = path.join(this.#dataDir, 'branch-keys.json');
    if (!existsSync(file)) return undefined;
    return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)[branch];
  }

  async verifyBranch(branch: string) {
    const db = this.#couch.db(`b-${branch}-audit`);
    const key = this.pinnedKey(branch);
    if (!key) return { branch, ok: false, problems: ['no audit key registered for this branch'] };
    const report = await this.witness.verify(branch, db, key);
    this.#witnessed.set(branch, report);
    return report;
  }

  /** Writes an account freeze into the branch's inbound database; it applies on arrival. */
  async freeze(branch: string, username: string, reason: string): Promise<string> {
    const id = `freeze:${username}:${Date.now()}`;
    await this.#couch
      .db(`b-${branch}-inbound`)
      .put({ _id: id, type: 'freeze', username, reason, at: new Date().toISOString() });
    return id;
  }

  async #route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hq');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/api\/branches\/([A-Za-z0-9_]+)\/(freeze|witness)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/api/branches') {
      return json(200, { branches: await Promise.all(this.branches().map((b) => this.branchView(b))) });
    }
    if (req.method === 'GET' && m?.[2] === 'witness')
      return json(200, await this.verifyBranch(m[1] as string));
    if (req.method === 'POST' && m?.[2] === 'freeze') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { username, reason } = JSON.parse(body || '{}') as { username?: string; reason?: string };
      if (typeof username !== 'string' || !username) return json(400, { error: { code: 'HQ_BAD_REQUEST' } });
      return json(201, { id: await this.freeze(m[1] as string, username, reason ?? 'HQ freeze') });
    }
    if (req.method === 'GET' && url.pathname === '/api/policies')
      return json(200, { policies: await this.policies() });
    if (req.method === 'GET' && url.pathname === '/') {
      const rows = await Promise.all(this.branches().map((b) => this.branchView(b)));
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'self'",
      });
      res.end(renderHqPage(rows, await this.policies()));
      return;
    }
    json(404, { error: { code: 'HQ_NOT_FOUND' } });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = http.createServer((req, res) => {
      this.#route(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'HQ_INTERNAL', message: String(err) } }));
      });
    });
    this.#server = server;
    await new Promise<void>((r) => server.listen(port, host, () => r()));
    return (server.address() as AddressInfo).port;
  }

  /** Idempotent. */
  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
