// HQ must run on Apache CouchDB 3: every HQ endpoint the branch and HQ code use
// is either listed in docs/hq-couchdb.md or a standard CouchDB 3 endpoint.
// The scan finds CouchDB `_` endpoints in string literals (comments stripped)
// and PouchDB methods that map onto endpoints.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCANNED = ['sync/src', 'appliance/src/sync-bridge'];

/** Standard CouchDB 3 endpoints (server and database level), from its API reference. */
const COUCHDB3 = new Set([
  '_active_tasks',
  '_all_dbs',
  '_dbs_info',
  '_cluster_setup',
  '_db_updates',
  '_membership',
  '_replicate',
  '_scheduler',
  '_node',
  '_search_analyze',
  '_utils',
  '_up',
  '_uuids',
  '_session',
  '_users',
  '_replicator',
  '_global_changes',
  '_reshard',
  '_all_docs',
  '_design_docs',
  '_bulk_get',
  '_bulk_docs',
  '_find',
  '_index',
  '_explain',
  '_shards',
  '_sync_shards',
  '_changes',
  '_compact',
  '_ensure_full_commit',
  '_view_cleanup',
  '_security',
  '_purge',
  '_purged_infos_limit',
  '_missing_revs',
  '_revs_diff',
  '_revs_limit',
  '_local',
  '_local_docs',
  '_design',
  '_view',
  '_show',
  '_list',
  '_update',
  '_rewrite',
  '_info',
  '_partition',
]);

/** Document fields CouchDB reserves: they name no endpoint. */
const DOC_FIELDS = new Set([
  '_id',
  '_rev',
  '_deleted',
  '_conflicts',
  '_deleted_conflicts',
  '_revisions',
  '_revs_info',
  '_attachments',
  '_local_seq',
]);

/** PouchDB methods → the endpoint they call on an HTTP (HQ) database. */
const POUCH_METHODS: Record<string, string[]> = {
  bulkDocs: ['_bulk_docs'],
  allDocs: ['_all_docs'],
  changes: ['_changes'],
  replicate: ['_local', '_revs_diff', '_bulk_docs', '_changes', '_bulk_get'],
  bulkGet: ['_bulk_get'],
  revsDiff: ['_revs_diff'],
  query: ['_view', '_temp_view'],
  find: ['_find'],
  createIndex: ['_index'],
  purge: ['_purge'],
  compact: ['_compact'],
  viewCleanup: ['_view_cleanup'],
};

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** `_endpoint` names a source uses, with where. */
export function endpointsIn(src: string, file: string): Array<{ endpoint: string; where: string }> {
  const code = stripComments(src);
  const out: Array<{ endpoint: string; where: string }> = [];
  for (const m of code.matchAll(/['"`/](_[a-z][a-z_]*)/g)) {
    const e = m[1] as string;
    if (!DOC_FIELDS.has(e)) out.push({ endpoint: e, where: `${file}: '${e}'` });
  }
  for (const m of code.matchAll(/\.([a-zA-Z]+)\s*[.(]/g)) {
    for (const e of Object.hasOwn(POUCH_METHODS, m[1] as string) ? (POUCH_METHODS[m[1] as string] ?? []) : [])
      out.push({ endpoint: e, where: `${file}: .${m[1]}()` });
  }
  return out;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** The `_` endpoints named in docs/hq-couchdb.md's `endpoints` block (or another named block, e.g. `hq-process-endpoints`: those the HQ process serves itself). */
function documented(block_ = 'endpoints'): Set<string> {
  const md = readFileSync(path.join(ROOT, 'docs/hq-couchdb.md'), 'utf8');
  const block = new RegExp(`\`\`\`${block_}\n([\\s\\S]*?)\`\`\``).exec(md)?.[1];
  assert.ok(block, `docs/hq-couchdb.md has an \`\`\`${block_} block`);
  const set = new Set<string>();
  for (const line of block.split('\n')) {
    const p = line.trim().split(/\s+/)[2] ?? '';
    for (const m of p.matchAll(/\/(_[a-z][a-z_]*)/g)) set.add(m[1] as string);
  }
  return set;
}

function undocumented(found: Array<{ endpoint: string; where: string }>, listed: Set<string>): string[] {
  return found.filter((f) => !listed.has(f.endpoint) && !COUCHDB3.has(f.endpoint)).map((f) => f.where);
}

test('every HQ endpoint used in sync/src and appliance/src/sync-bridge is documented or standard CouchDB 3', () => {
  const listed = documented();
  const found = SCANNED.flatMap((d) =>
    sources(path.join(ROOT, d)).flatMap((f) => endpointsIn(readFileSync(f, 'utf8'), path.relative(ROOT, f))),
  );
  assert.ok(
    found.some((f) => f.endpoint === '_revs_diff'),
    'the scan sees the replication protocol',
  );
  assert.ok(
    found.some((f) => f.endpoint === '_security'),
    'the scan sees string literals',
  );
  // Issue 15's recording archive is served by the HQ process, not CouchDB (documented as such).
  const ownEndpoints = documented('hq-process-endpoints');
  assert.deepEqual(
    undocumented(found, listed).filter((w) => ![...ownEndpoints].some((e) => w.endsWith(`'${e}'`))),
    [],
  );
  // Every documented `_` endpoint is a CouchDB 3 one: none is pouchdb-server's own.
  assert.deepEqual(
    [...listed].filter((e) => !COUCHDB3.has(e)),
    [],
  );
});

test('the scan flags a pouchdb-server-only or CouchDB 1.x endpoint and a temporary view, not a comment', () => {
  const src = [
    "await fetch(hq + '/_config/admins'); // _fti in a comment is fine",
    "const u = base + '/_fti/local/db';",
    'await remote.query((doc) => emit(doc._id));',
    '/* _temp_view mentioned */ const id = doc._id;',
  ].join('\n');
  assert.deepEqual(undocumented(endpointsIn(src, 'x.ts'), documented()), [
    "x.ts: '_config'",
    "x.ts: '_fti'",
    'x.ts: .query()',
  ]);
});
