import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PouchDB, type PouchDb } from '../pouch.ts';
import { ArchiveStore, archiveHandler } from './archive.ts';
import { branchAccess } from './branch-access.ts';
import { BranchCredentials } from './branch-credentials.ts';
import { installValidation } from './validating-db.ts';

const require = createRequire(import.meta.url);

export interface HqCouch {
  url: string;
  port: number;
  /** Per-branch replication credentials (HTTP basic), issued at enrolment. */
  credentials: BranchCredentials;
  /** Whether the HTTP port demands branch credentials. */
  authRequired: boolean;
  /** Recording archives branches upload (`/_archive/…`, always behind branch credentials). */
  archive: ArchiveStore;
  /** Opens an HQ database directly (same process as the server). */
  db(name: string): PouchDb;
  close(): Promise<void>;
}

/**
 * The CouchDB-protocol stand-in (express-pouchdb from pouchdb-server) over
 * LevelDB under `dataDir`. Production points branches at Apache CouchDB instead.
 */
export async function startHqCouch(options: {
  dataDir: string;
  port?: number;
  host?: string;
  /** Enforce `validate_doc_update` design docs on HTTP writes, as Apache CouchDB does (default true). */
  validation?: boolean;
  /**
   * Demand per-branch credentials (HTTP basic) on every request, each branch
   * confined to its own databases (see branch-access.ts). `npm run hq` always
   * sets it; the default (false) keeps the protocol tests' open stand-in.
   */
  auth?: boolean;
}): Promise<HqCouch> {
  const dir = path.resolve(options.dataDir, 'couch');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // auto_compaction: a revision replaced by a newer one loses its body at once, so a
  // field the policy withholds now does not linger at HQ in an old revision.
  const Prefixed = PouchDB.defaults({ prefix: `${dir}${path.sep}`, auto_compaction: true });
  const express = require('express') as () => {
    use(path: string, handler: unknown): void;
    listen(port: number, host: string, cb: () => void): Server;
  };
  const expressPouch = require('express-pouchdb') as (
    p: unknown,
    o: Record<string, unknown>,
  ) => { dbWrapper: { registerWrapper(w: (name: string, db: unknown, next: () => void) => void): void } };
  const app = express();
  const pouchApp = expressPouch(Prefixed, {
    mode: 'minimumForPouchDB',
    inMemoryConfig: true,
    logPath: path.join(dir, 'log.txt'),
  });
  // Not express-pouchdb's own 'validation' mode: it drops replicated updates (see validating-db.ts).
  if (options.validation !== false)
    pouchApp.dbWrapper.registerWrapper((_name, db, next) => {
      installValidation(db);
      next();
    });
  const credentials = new BranchCredentials(path.resolve(options.dataDir));
  const authRequired = options.auth === true;
  const archive = new ArchiveStore(path.resolve(options.dataDir));
  // Before the gate: `/_archive` is not a database; it checks the branch's credentials itself.
  app.use('/', archiveHandler(credentials, archive));
  if (authRequired) app.use('/', branchGate(credentials));
  app.use('/', pouchApp);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const port = (server.address() as AddressInfo).port;
  // One handle per database for the life of HQ (a page load used to open new ones and keep them all).
  const opened = new Map<string, PouchDb>();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    credentials,
    authRequired,
    archive,
    db(name) {
      const had = opened.get(name);
      if (had && !(had as PouchDb & { _closed?: boolean })._closed) return had;
      const db = new Prefixed(name);
      opened.set(name, db);
      return db;
    },
    close() {
      closing ??= (async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
        for (const db of opened.values()) await db.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}

type Req = import('node:http').IncomingMessage;
type Res = import('node:http').ServerResponse;

/**
 * Refuses every request without valid branch credentials (401) and every
 * request outside the branch's own databases (403). HQ's console never uses
 * this port: it opens the databases in-process.
 */
function branchGate(credentials: BranchCredentials): (req: Req, res: Res, next: () => void) => void {
  const refuse = (res: Res, status: 401 | 403, reason: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(status === 401 ? { 'www-authenticate': 'Basic realm="branchline-hq"' } : {}),
    });
    res.end(JSON.stringify({ error: status === 401 ? 'unauthorized' : 'forbidden', reason }));
  };
  return (req, res, next) => {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const pair = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = pair.indexOf(':');
    const branch = colon > 0 ? credentials.check(pair.slice(0, colon), pair.slice(colon + 1)) : undefined;
    if (!branch) return refuse(res, 401, 'branch credentials required');
    const access = branchAccess(branch, req.method ?? 'GET', req.url ?? '/');
    if (!access.ok) return refuse(res, 403, access.reason);
    next();
  };
}
