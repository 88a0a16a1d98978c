/** The databases a branch pushes (write) — everything else at HQ is not its to write. */
export const BRANCH_OUTBOUND_CLASSES = ['tickets', 'crm', 'audit', 'status'] as const;

/** Endpoints a pull replication POSTs to (reads with a body). */
const READ_POSTS = new Set(['_all_docs', '_bulk_get', '_revs_diff', '_changes']);

/**
 * Whether `branch` may make this request on HQ's replication port:
 * - its outbound databases (`b-<branch>-tickets|crm|audit|status`): replication
 *   reads and writes; design documents (HQ's rules) it may read, never write;
 * - its inbound database (`b-<branch>-inbound`): reads, plus its own `_local`
 *   replication checkpoints;
 * - nothing else: no other branch's databases, `_all_dbs`, `_config`, `/`.
 * Returns a reason when refused.
 */
export function branchAccess(
  branch: string,
  method: string,
  url: string,
): { ok: true } | { ok: false; reason: string } {
  const pathname = url.split('?')[0] ?? '/';
  const parts = pathname
    .split('/')
    .slice(1)
    .map((p) => safeDecode(p));
  const db = parts[0] ?? '';
  const rest = parts.slice(1);
  const m = method.toUpperCase();
  const read = m === 'GET' || m === 'HEAD';
  if (db === '' || db.startsWith('_'))
    return { ok: false, reason: 'server endpoints are not open to branches' };
  const own = (cls: string) => db === `b-${branch}-${cls}`;
  if ((BRANCH_OUTBOUND_CLASSES as readonly string[]).some(own)) {
    // A branch may read the rules its documents must pass; only HQ writes them.
    if (!read && (rest[0] === '_design' || rest[0]?.startsWith('_design/')))
      return { ok: false, reason: 'design documents are HQ-only' };
    if (rest[0] === '_security' || rest[0] === '_purge') return { ok: false, reason: 'HQ-only endpoint' };
    if (m === 'DELETE' && rest.length === 0)
      return { ok: false, reason: 'a branch cannot delete an HQ database' };
    return { ok: true };
  }
  if (own('inbound')) {
    if (read && rest[0] !== '_design') return { ok: true };
    if (m === 'POST' && rest.length === 1 && READ_POSTS.has(rest[0] ?? '')) return { ok: true };
    if ((m === 'PUT' || m === 'DELETE') && rest[0] === '_local' && rest.length === 2) return { ok: true };
    if (rest[0]?.startsWith('_local/') && rest.length === 1 && (m === 'PUT' || m === 'DELETE'))
      return { ok: true };
    return { ok: false, reason: 'the inbound database is read-only for branches' };
  }
  return { ok: false, reason: 'not this branch’s database' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
