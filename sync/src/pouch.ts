import type { Agent } from 'node:https';
import { createRequire } from 'node:module';

/** The slice of PouchDB 9 that sync uses (pouchdb ships no types). */
export interface PouchDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
  _conflicts?: string[];
  [field: string]: unknown;
}
export interface ReplicationInfo {
  docs_written?: number;
  docs_read?: number;
  last_seq?: number | string;
  doc_write_failures?: number;
}
export interface ReplicationHandle {
  on(event: string, handler: (arg: never) => void): ReplicationHandle;
  cancel(): void;
}
export interface PouchDb {
  readonly name: string;
  get(id: string, options?: { conflicts?: boolean; rev?: string }): Promise<PouchDoc>;
  put(doc: PouchDoc): Promise<{ ok: boolean; id: string; rev: string }>;
  bulkDocs(docs: object[], options?: { new_edits?: boolean }): Promise<Array<Record<string, unknown>>>;
  allDocs(options?: Record<string, unknown>): Promise<{
    total_rows: number;
    rows: Array<{ id: string; value: { rev: string; deleted?: boolean }; doc?: PouchDoc }>;
  }>;
  changes(options: Record<string, unknown>): Promise<{
    results: Array<{ id: string; seq: number | string; deleted?: boolean; changes?: Array<{ rev: string }> }>;
    last_seq: number | string;
  }>;
  info(): Promise<{ doc_count: number; update_seq: number | string }>;
  replicate: {
    to(
      target: PouchDb | string,
      options?: Record<string, unknown>,
    ): ReplicationHandle & Promise<ReplicationInfo>;
    from(
      source: PouchDb | string,
      options?: Record<string, unknown>,
    ): ReplicationHandle & Promise<ReplicationInfo>;
  };
  close(): Promise<void>;
  destroy(): Promise<void>;
}
interface PouchStatic {
  new (name: string, options?: Record<string, unknown>): PouchDb;
  fetch(url: string, options?: Record<string, unknown>): Promise<Response>;
  replicate(
    source: PouchDb | string,
    target: PouchDb | string,
    options?: Record<string, unknown>,
  ): ReplicationHandle & Promise<ReplicationInfo>;
  defaults(options: Record<string, unknown>): PouchStatic;
}

/** PouchDB 9 (LevelDB adapter on Node). */
export const PouchDB = createRequire(import.meta.url)('pouchdb') as PouchStatic;

/** Opens a PouchDB handle for an HQ database URL, presenting the branch client certificate when given. */
export function openRemote(url: string, options: { agent?: Agent } = {}): PouchDb {
  const { agent } = options;
  if (!agent) return new PouchDB(url, { skip_setup: false });
  return new PouchDB(url, {
    fetch: (u: string, opts: Record<string, unknown>) => PouchDB.fetch(u, { ...opts, agent }),
  });
}

/** A 404 from PouchDB. */
export function isNotFound(err: unknown): boolean {
  return (err as { status?: number } | undefined)?.status === 404;
}
