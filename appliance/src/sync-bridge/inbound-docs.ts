import { type PouchDb, type PouchDoc, resolveConflicts, type SignedPolicy } from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { applyHqContent, type InboundTargets } from './inbound.ts';
import { noteReleaseRequest } from './quarantine.ts';

export interface InboundDeps {
  identity: IdentityService;
  bus: EventBus;
  content: InboundTargets | undefined;
  tickets: PouchDb;
  quarantine: PouchDb;
  /** Recount the quarantine and tell HQ (a release request changed an entry). */
  refreshQuarantine: () => Promise<void>;
  applyPolicy: (signed: SignedPolicy) => Promise<boolean>;
  /** Whether a control doc (freeze, reveal, release request, KB/routing push) is signed by HQ for this branch and not a replay (see ControlGate). */
  admitControl: (doc: PouchDoc) => Promise<boolean>;
  /** HQ's audit witness verdict on this branch (`witness` doc). */
  onWitnessVerdict: (doc: PouchDoc) => Promise<void>;
}

/** Inbound document types that act on the branch: admitted only when signed by HQ, once. */
const SIGNED_TYPES = new Set(['freeze', 'hq_reveal', 'release_request', 'kb_article', 'routing_policy']);

/**
 * Applies documents pulled from HQ, in order: content (KB, routing), user
 * freezes, reveal notices, release requests for quarantined docs, residency policies, and
 * conflict resolution for tickets both sides edited.
 */
export async function applyInbound(docs: PouchDoc[], deps: InboundDeps): Promise<void> {
  const { identity, bus } = deps;
  for (const doc of docs) {
    if (doc._deleted) continue;
    // Every document that makes the branch act is signed by HQ's control key:
    // content pushes (KB, routing) and release requests as well as freezes and reveals.
    if (SIGNED_TYPES.has(String(doc['type'])) && !(await deps.admitControl(doc))) continue;
    if (await applyHqContent(deps.content ?? {}, doc)) continue;
    if (doc['type'] === 'freeze') {
      if (typeof doc['username'] !== 'string') continue;
      const user = await identity.findUser(doc['username']);
      if (!user || user.status === 'frozen') continue;
      await identity.freeze(user.id, { actor: 'hq', reason: String(doc['reason'] ?? 'HQ freeze') });
      await bus.publish(
        'sync.freeze_applied',
        { username: user.username, freezeId: doc._id },
        { actor: 'hq' },
      );
    } else if (doc['type'] === 'hq_reveal') {
      // Witness of a reveal at HQ: on the branch's own audit trail, once per signed notice.
      await bus.publish(
        'sync.hq_field_revealed',
        {
          revealId: doc._id.replace(/^reveal:/, ''),
          operator: String(doc['operator'] ?? ''),
          db: String(doc['cls'] ?? ''),
          docId: String(doc['docId'] ?? ''),
          field: String(doc['field'] ?? ''),
          reason: String(doc['reason'] ?? ''),
          at: String(doc['at'] ?? ''),
        },
        { actor: 'hq' },
      );
    } else if (doc['type'] === 'release_request') {
      const entries = await noteReleaseRequest(deps.quarantine, doc);
      if (entries === 0) continue;
      await deps.refreshQuarantine();
      await bus.publish(
        'sync.release_requested',
        {
          docId: String(doc['docId']),
          db: String(doc['cls']),
          note: String(doc['note'] ?? ''),
          by: String(doc['by'] ?? 'hq'),
          entries,
        },
        { actor: 'hq' },
      );
    } else if (doc['type'] === 'witness') {
      await deps.onWitnessVerdict(doc);
    } else if (doc['type'] === 'policy' && doc['signed']) {
      await deps.applyPolicy(doc['signed'] as SignedPolicy);
    } else if (doc._id.startsWith('ticket:')) {
      const res = await resolveConflicts(deps.tickets, doc._id).catch(() => undefined);
      if (res)
        await bus.publish(
          'sync.conflict_resolved',
          { docId: res.id, losers: res.losers.length },
          { actor: 'system' },
        );
    }
  }
}
