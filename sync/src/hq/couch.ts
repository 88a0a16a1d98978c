import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PouchDB, type PouchDb } from '../pouch.ts';
import { installValidation } from './validating-db.ts';

const require = createRequire(import.meta.url);

export interface HqCouch {
  url: string;
  port: number;
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
}): Promise<HqCouch> {
  const dir = path.resolve(options.dataDir, 'couch');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const Prefixed = PouchDB.defaults({ prefix: `${dir}${path.sep}` });
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
  const opened: PouchDb[] = [];
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    db(name) {
      const db = new Prefixed(name);
      opened.push(db);
      return db;
    },
    close() {
      closing ??= (async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
        for (const db of opened) await db.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}
