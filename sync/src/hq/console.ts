import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { HqCouch } from './couch.ts';
import { AuditWitness } from './witness.ts';

export interface BranchView {
  branch: string;
  lastSeen?: string;
  secondsSinceSeen?: number;
  lagDocs?: number;
  lagSeconds?: number;
  quarantined?: number;
  health: 'ok' | 'stale' | 'unknown';
  docs: Record<string, number>;
}

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** HQ console and API: branches (last seen, lag, quarantine), audit witness, freezes. */
export class HqConsole {
  readonly #couch: HqCouch;
  readonly #dataDir: string;
  readonly witness = new AuditWitness();
  #server: http.Server | undefined;

  constructor(couch: HqCouch, dataDir: string) {
    this.#couch = couch;
    this.#dataDir = dataDir;
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
    const status = await this.#couch
      .db(`b-${branch}-status`)
      .get('status')
      .catch(() => undefined);
    if (!status) return { branch, health: 'unknown', docs };
    const seen = Date.parse(String(status['at']));
    const secondsSinceSeen = Math.round((Date.now() - seen) / 1000);
    return {
      branch,
      lastSeen: String(status['at']),
      secondsSinceSeen,
      lagDocs: Number(status['lagDocs'] ?? 0),
      lagSeconds: Number(status['lagSeconds'] ?? 0) + secondsSinceSeen,
      quarantined: Number(status['quarantined'] ?? 0),
      health: secondsSinceSeen < 120 ? 'ok' : 'stale',
      docs,
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
    return this.witness.verify(branch, db, key);
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
    if (req.method === 'GET' && url.pathname === '/') {
      const rows = await Promise.all(this.branches().map((b) => this.branchView(b)));
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'self'",
      });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branchline HQ</title></head><body>` +
          `<h1>Branches</h1><table data-testid="hq-branches"><tr><th>branch</th><th>health</th><th>last seen</th><th>lag (docs)</th><th>lag (s)</th><th>quarantine</th><th>tickets</th><th>audit</th></tr>` +
          rows
            .map(
              (r) =>
                `<tr><td>${esc(r.branch)}</td><td>${esc(r.health)}</td><td>${esc(r.lastSeen)}</td><td>${esc(r.lagDocs)}</td><td>${esc(r.lagSeconds)}</td><td>${esc(r.quarantined)}</td><td>${esc(r.docs['tickets'])}</td><td>${esc(r.docs['audit'])}</td></tr>`,
            )
            .join('') +
          `</table></body></html>`,
      );
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
