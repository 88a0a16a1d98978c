import { createRequire } from 'node:module';
import type { PouchDoc } from '../pouch.ts';

const require = createRequire(import.meta.url);

type ValidateFn = (newDoc: PouchDoc, oldDoc: PouchDoc | null, userCtx: object, secObj: object) => void;
interface WrapArgs {
  base: ValidatingBase;
  doc: PouchDoc;
  docs: PouchDoc[];
}
interface ValidatingBase {
  get(id: string, options: { revs: boolean }): Promise<PouchDoc>;
  allDocs(options: object): Promise<{ rows: Array<{ doc?: PouchDoc }> }>;
}

const wrappers = require('pouchdb-wrappers') as {
  installWrapperMethods(db: unknown, methods: Record<string, unknown>): void;
};
const bulkDocsWrapper = require('pouchdb-bulkdocs-wrapper') as (
  handler: (doc: PouchDoc, args: WrapArgs) => Promise<void>,
) => unknown;
const coucheval = require('couchdb-eval') as {
  evaluate(ddoc: PouchDoc, ctx: object, code: string): ValidateFn;
};
const PluginError = require('pouchdb-plugin-error') as new (e: {
  name: string;
  message: string;
  status: number;
}) => Error;

/**
 * Runs the `validate_doc_update` functions of `db` on one document, as CouchDB
 * does. pouchdb-validation (what express-pouchdb ships) overwrites the incoming
 * `_revisions` with the stored document's history before the write; with
 * `new_edits: false` (replication) every update of an existing document then
 * re-states the old revision and is dropped without an error. This keeps the
 * revision history the writer sent.
 */
async function validate(db: ValidatingBase, newDoc: PouchDoc): Promise<void> {
  if (String(newDoc._id).startsWith('_design/') || String(newDoc._id).startsWith('_local/')) return;
  const ddocs = await db.allDocs({ startkey: '_design/', endkey: '_design0', include_docs: true });
  const funcs = ddocs.rows.flatMap((r) =>
    r.doc && typeof r.doc['validate_doc_update'] === 'string'
      ? [{ ddoc: r.doc, fn: coucheval.evaluate(r.doc, {}, r.doc['validate_doc_update']) }]
      : [],
  );
  if (funcs.length === 0) return;
  const oldDoc = await db.get(newDoc._id, { revs: true }).catch(() => null);
  try {
    for (const { ddoc, fn } of funcs) fn.call(ddoc, newDoc, oldDoc, { db: '', name: null, roles: [] }, {});
  } catch (e) {
    const thrown = e as { forbidden?: unknown; unauthorized?: unknown };
    if (thrown?.unauthorized !== undefined)
      throw new PluginError({ name: 'unauthorized', message: String(thrown.unauthorized), status: 401 });
    if (thrown?.forbidden !== undefined)
      throw new PluginError({ name: 'forbidden', message: String(thrown.forbidden), status: 403 });
    throw new PluginError({ name: 'forbidden', message: `validation failed: ${String(e)}`, status: 403 });
  }
}

/** Makes every write to `db` (put, post, remove, bulkDocs) pass its design documents' `validate_doc_update`. */
export function installValidation(db: unknown): void {
  wrappers.installWrapperMethods(db, {
    put: (orig: () => Promise<unknown>, args: WrapArgs) => validate(args.base, args.doc).then(orig),
    post: (orig: () => Promise<unknown>, args: WrapArgs) => validate(args.base, args.doc).then(orig),
    remove: (orig: () => Promise<unknown>, args: WrapArgs) =>
      validate(args.base, { ...args.doc, _deleted: true }).then(orig),
    bulkDocs: bulkDocsWrapper((doc, args) => validate(args.base, doc)),
  });
}
