/** The slice of the PouchDB 9 API the adapter uses (pouchdb ships no types). */
export interface PouchError {
  status?: number;
  name?: string;
  message?: string;
}
export interface PouchOk {
  ok: true;
  id: string;
  rev: string;
}
export type PouchBulkRow = PouchOk | (PouchError & { error: true; id?: string });
export interface PouchDoc {
  _id: string;
  _rev: string;
  [field: string]: unknown;
}
export interface PouchAllDocsOptions {
  include_docs: true;
  startkey?: string;
  endkey?: string;
  descending?: boolean;
  limit?: number;
}
export interface PouchChanges {
  results: Array<{ id: string; seq: number | string; deleted?: boolean }>;
  last_seq: number | string;
}
export interface PouchDatabase {
  get(id: string): Promise<PouchDoc>;
  bulkDocs(docs: object[]): Promise<PouchBulkRow[]>;
  allDocs(options: PouchAllDocsOptions): Promise<{ rows: Array<{ id: string; doc?: PouchDoc }> }>;
  changes(options: { since: number | string; limit?: number }): Promise<PouchChanges>;
  info(): Promise<{ doc_count: number; update_seq: number | string }>;
  close(): Promise<void>;
}
export type PouchConstructor = new (name: string, options?: { db?: unknown }) => PouchDatabase;
