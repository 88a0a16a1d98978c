import type { Agent } from 'node:https';
import {
  type AuditDocSource,
  defaultPolicy,
  HybridClock,
  OutboundProjector,
  openRemote,
  type PouchDb,
  type PouchDoc,
  pumpAudit,
  type ReconcileReport,
  Replicator,
  type ResidencyPolicy,
  reconcile,
  resolveConflicts,
  type SignedPolicy,
  SyncWatchdog,
  verifyPolicy,
} from '../../../sync/src/index.ts';
import type { EventBus } from '../events/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { createLogger } from '../logging/index.ts';
import type { CryptoFacade } from '../storage/index.ts';
import { applyHqContent, type InboundTargets } from './inbound.ts';
import {
  discardQuarantined,
  noteReleaseRequest,
  type ReleaseOutcome,
  releaseQuarantined,
} from './quarantine.ts';
import {
  buildStatus,
  type QuarantineEntry,
  type QuarantineTally,
  type SyncStatus,
  tallyQuarantine,
  toEntry,
} from './status.ts';

const log = createLogger('sync-bridge');
const OUTBOUND = ['tickets', 'crm', 'audit', 'status'] as const;

export interface BridgeDbs {
  tickets: PouchDb;
  crm: PouchDb;
  audit: PouchDb;
  status: PouchDb;
  inbound: PouchDb;
  state: PouchDb;
  quarantine: PouchDb;
}

export interface BridgeOptions {
  branchId: string;
  hqUrl: string;
  dbs: BridgeDbs;
  bus: EventBus;
  identity: IdentityService;
  crypto: CryptoFacade;
  tokenKey: Uint8Array;
  pinnedHqKey: string | undefined;
  agent?: Agent;
  /** Where HQ KB articles and routing policies are applied (absent: ignored). */
  content?: InboundTargets;
  /** Reconciliation period for tests; production schedules reconcile() nightly by cron. */
  reconcileEveryMs?: number;
  /** The audit store read verbatim (records, signed checkpoints, signed head): AuditLog changes/getDoc. */
  audit: AuditDocSource;
}

/** Wires sync into the appliance: bus → projections, replication, inbound freezes and policies. */
export class SyncBridge {
  readonly #o: BridgeOptions;
  #policy: ResidencyPolicy = defaultPolicy(new Date(0));
  readonly projector: OutboundProjector;
  readonly #reps: Replicator[] = [];
  #remotes: Record<string, PouchDb> = {};
  #watchdog: SyncWatchdog | undefined;
  #timers: Array<ReturnType<typeof setInterval>> = [];
  #off: Array<() => void> = [];
  #auditCursor: number | string = 0;
  readonly #quarantine_: QuarantineTally = { count: 0, perClass: {}, recent: [] };
  #closed = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.projector = new OutboundProjector({
      branchId: options.branchId,
      policy: () => this.#policy,
      dbs: { tickets: options.dbs.tickets, crm: options.dbs.crm, audit: options.dbs.audit },
      state: options.dbs.state,
      tokenKey: options.tokenKey,
      sealer: { seal: (v, ctx) => options.crypto.encrypt(v, 'sync-seal', ctx) },
      clock: new HybridClock(options.branchId),
    });
  }

  get policy(): ResidencyPolicy {
    return this.#policy;
  }

  async start(): Promise<void> {
    const { bus, dbs, branchId, hqUrl } = this.#o;
    const saved = await dbs.state.get('policy').catch(() => undefined);
    if (saved?.['signed']) await this.applyPolicy(saved['signed'] as SignedPolicy, { persist: false });
    Object.assign(this.#quarantine_, await tallyQuarantine(dbs.quarantine));
    const cursor = await dbs.state.get('audit-feed-cursor').catch(() => undefined);
    this.#auditCursor = (cursor?.['since'] as number | string | undefined) ?? 0;
    this.#off.push(
      bus.subscribe('*', (e) => {
        if (!e.type.startsWith('ticket.')) return;
        const { ticketId, ...rest } = e.data as { ticketId?: string } & Record<string, unknown>;
        if (typeof ticketId !== 'string') return;
        const stub: Record<string, unknown> & { id: string } = { id: ticketId, updatedAt: e.at };
        for (const k of ['number', 'customerId', 'departmentId'])
          if (rest[k] !== undefined) stub[k] = rest[k];
        if (e.type === 'ticket.transitioned') stub['state'] = rest['to'];
        return this.projector.projectRecord('tickets', stub).then(() => undefined);
      }),
    );
    const base = `${hqUrl}/b-${branchId}`;
    const agent = this.#o.agent ? { agent: this.#o.agent } : {};
    for (const cls of OUTBOUND) {
      this.#reps.push(
        new Replicator({
          name: cls,
          local: dbs[cls],
          remoteUrl: `${base}-${cls}`,
          direction: 'push',
          ...agent,
          onDenied: (d) => this.#quarantine(cls, d.id, d.rev, d.reason),
        }),
      );
    }
    this.#reps.push(
      new Replicator({
        name: 'inbound',
        local: dbs.inbound,
        remoteUrl: `${base}-inbound`,
        direction: 'pull',
        ...agent,
        // Short ceiling: a freeze must apply within seconds of the link coming back.
        backoff: { baseMs: 250, maxMs: 2_000 },
        onPulled: (docs) => this.#applyInbound(docs),
      }),
    );
    for (const r of this.#reps) r.start();
    for (const cls of OUTBOUND) this.#remotes[cls] = openRemote(`${base}-${cls}`, agent);
    if (this.#o.reconcileEveryMs) {
      this.#timers.push(
        setInterval(
          () => void this.reconcile().catch((err) => log.warn('reconcile', { err })),
          this.#o.reconcileEveryMs,
        ),
      );
    }
    this.#watchdog = new SyncWatchdog({
      replicators: this.#reps.map((r, i) => ({
        r,
        local: [dbs.tickets, dbs.crm, dbs.audit, dbs.status, dbs.inbound][i] as PouchDb,
      })),
      onAlarm: (a) => bus.publish('system.alarm_raised', a, { actor: 'system' }).then(() => undefined),
    });
    this.#watchdog.start();
    this.#timers.push(
      setInterval(() => void this.pumpAudit().catch((err) => log.warn('audit pump', { err })), 2_000),
    );
    this.#timers.push(setInterval(() => void this.publishStatus().catch(() => undefined), 5_000));
    for (const t of this.#timers) t.unref();
    // Freezes that arrived before a restart are applied again (freeze is idempotent).
    const inbound = await dbs.inbound.allDocs({ include_docs: true });
    await this.#applyInbound(inbound.rows.flatMap((r) => (r.doc ? [r.doc] : [])));
  }

  /**
   * Copies new audit store documents — records, signed checkpoints and the
   * signed head — into the outbound audit database, so HQ's witness can verify
   * the chain, the Merkle checkpoints and the tail.
   */
  async pumpAudit(): Promise<number> {
    const { cursor, written } = await pumpAudit(this.#o.audit, this.projector, this.#auditCursor);
    if (cursor !== this.#auditCursor) {
      this.#auditCursor = cursor;
      await putLatest(this.#o.dbs.state, 'audit-feed-cursor', { since: cursor });
    }
    return written;
  }

  /**
   * Compares every outbound db with its HQ copy by id and revision and stores
   * the report (`reconcile:<iso time>`) in the sync state db.
   */
  async reconcile(): Promise<ReconcileReport> {
    const pairs: Record<string, { local: PouchDb; remote: PouchDb }> = {};
    for (const cls of OUTBOUND) {
      const remote = this.#remotes[cls];
      if (remote) pairs[cls] = { local: this.#o.dbs[cls], remote };
    }
    const report = await reconcile(pairs);
    await this.#o.dbs.state.put(report as unknown as PouchDoc);
    await this.#o.bus.publish(
      'sync.reconciled',
      { reportId: report._id, differences: report.differences, ok: report.ok },
      { actor: 'system' },
    );
    return report;
  }

  async #applyInbound(docs: PouchDoc[]): Promise<void> {
    const { identity, bus } = this.#o;
    for (const doc of docs) {
      if (doc._deleted) continue;
      if (await applyHqContent(this.#o.content ?? {}, doc)) continue;
      if (doc['type'] === 'freeze' && typeof doc['username'] === 'string') {
        const user = await identity.findUser(doc['username']);
        if (!user || user.status === 'frozen') continue;
        await identity.freeze(user.id, { actor: 'hq', reason: String(doc['reason'] ?? 'HQ freeze') });
        await bus.publish(
          'sync.freeze_applied',
          { username: user.username, freezeId: doc._id },
          { actor: 'hq' },
        );
      } else if (doc['type'] === 'release_request') {
        const entries = await noteReleaseRequest(this.#o.dbs.quarantine, doc);
        if (entries === 0) continue;
        await this.#refreshQuarantine();
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
      } else if (doc['type'] === 'policy' && doc['signed']) {
        await this.applyPolicy(doc['signed'] as SignedPolicy);
      } else if (doc._id.startsWith('ticket:')) {
        const res = await resolveConflicts(this.#o.dbs.tickets, doc._id).catch(() => undefined);
        if (res)
          await bus.publish(
            'sync.conflict_resolved',
            { docId: res.id, losers: res.losers.length },
            { actor: 'system' },
          );
      }
    }
  }

  /** Adopts a residency policy if it verifies against the pinned HQ key and is newer. */
  async applyPolicy(signed: SignedPolicy, options: { persist?: boolean } = {}): Promise<boolean> {
    const { bus, pinnedHqKey, dbs } = this.#o;
    const version = signed.policy?.version ?? 0;
    if (!pinnedHqKey || !verifyPolicy(signed, pinnedHqKey)) {
      await bus.publish('sync.policy_rejected', { version, reason: 'signature' }, { actor: 'hq' });
      return false;
    }
    if (version <= this.#policy.version && this.#policy.issuedAt !== new Date(0).toISOString()) {
      // Re-delivery of the current policy (restart, re-pull) is silent; an older one is a refused rollback.
      if (version < this.#policy.version)
        await bus.publish('sync.policy_rejected', { version, reason: 'older than current' }, { actor: 'hq' });
      return false;
    }
    const from = this.#policy.version;
    this.#policy = signed.policy;
    if (options.persist !== false) await putLatest(dbs.state, 'policy', { signed });
    await bus.publish('sync.policy_changed', { version, from }, { actor: 'hq' });
    return true;
  }

  async #quarantine(cls: string, id: string, rev: string | undefined, reason: string): Promise<void> {
    const db = this.#o.dbs[cls as 'tickets'];
    const doc = await db.get(id).catch(() => undefined);
    const at = new Date().toISOString();
    const entry = { cls, docId: id, rev: rev ?? doc?._rev ?? 'none', reason, at };
    const qid = `q:${cls}:${id}:${entry.rev}`;
    const put = await this.#o.dbs.quarantine
      .put({ _id: qid, ...entry, doc })
      .catch((err: { status?: number }) => {
        if (err?.status !== 409) log.error('quarantine write failed', { err, docId: id });
        return undefined;
      });
    // Already quarantined (a restarted replication met the same revision again): no second alert.
    if (!put) return;
    this.#quarantine_.count += 1;
    this.#quarantine_.perClass[cls] = (this.#quarantine_.perClass[cls] ?? 0) + 1;
    this.#quarantine_.recent = [{ id: qid, ...entry }, ...this.#quarantine_.recent].slice(0, 50);
    await this.#o.bus.publish(
      'sync.doc_quarantined',
      { docId: id, reason, db: cls, rev: entry.rev },
      { actor: 'system' },
    );
    await this.#o.bus.publish(
      'system.alarm_raised',
      { alarm: 'sync.doc_refused', severity: 'warning', detail: `HQ refused ${cls}/${id}: ${reason}` },
      { actor: 'system' },
    );
  }

  async #refreshQuarantine(): Promise<void> {
    Object.assign(this.#quarantine_, await tallyQuarantine(this.#o.dbs.quarantine));
    // HQ's console shows the quarantine from the status doc: refresh it now rather than in 5 s.
    await this.publishStatus().catch(() => undefined);
  }

  /**
   * Offers a quarantined document to HQ again (after HQ relaxed its rules);
   * closes the entry when HQ accepts it, else throws SYNC_QUARANTINE_STILL_REFUSED.
   */
  async releaseQuarantined(id: string, meta: { actor: string; source?: string }): Promise<ReleaseOutcome> {
    const { dbs } = this.#o;
    const out = await releaseQuarantined({
      id,
      quarantine: dbs.quarantine,
      outbound: (cls) => ((OUTBOUND as readonly string[]).includes(cls) ? dbs[cls as 'tickets'] : undefined),
      remote: (cls) => this.#remotes[cls],
      policyVersion: this.#policy.version,
    });
    await this.#refreshQuarantine();
    await this.#o.bus.publish(
      'sync.quarantine_released',
      { quarantineId: out.quarantineId, docId: out.docId, db: out.cls, rev: out.rev, closed: out.closed },
      meta,
    );
    return out;
  }

  /** Closes a quarantine entry; the document never leaves the branch. */
  async discardQuarantined(id: string, meta: { actor: string; source?: string }): Promise<void> {
    const out = await discardQuarantined(this.#o.dbs.quarantine, id);
    await this.#refreshQuarantine();
    await this.#o.bus.publish(
      'sync.quarantine_discarded',
      { quarantineId: out.quarantineId, docId: out.docId, db: out.cls, rev: out.rev, reason: out.reason },
      meta,
    );
  }

  /** Quarantined documents (newest first, at most `limit`), for the console. */
  async quarantined(limit = 100): Promise<QuarantineEntry[]> {
    const res = await this.#o.dbs.quarantine.allDocs({ include_docs: true });
    return res.rows
      .flatMap((r) => (r.doc && r.id.startsWith('q:') ? [toEntry(r.doc)] : []))
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit);
  }

  /** Replication state for the consoles: per replication, and totals. */
  async status(): Promise<SyncStatus> {
    return buildStatus({
      reps: this.#reps,
      dbs: { ...this.#o.dbs } as Record<string, PouchDb>,
      policyVersion: this.#policy.version,
      quarantine: this.#quarantine_,
      reachable: this.#watchdog?.reachable,
    });
  }

  /** Writes the status doc HQ reads (last seen, lag, quarantine summary); runs every 5 s. */
  async publishStatus(): Promise<void> {
    const s = await this.status();
    await putLatest(this.#o.dbs.status, 'status', {
      at: new Date().toISOString(),
      branchId: this.#o.branchId,
      lagDocs: s.lagDocs,
      lagSeconds: s.lagSeconds,
      quarantined: s.quarantined,
      quarantine: this.#quarantine_.recent,
      policyVersion: s.policyVersion,
      replications: s.replications.map(({ name, state, pendingDocs, lagSeconds, lastError }) => ({
        name,
        state,
        pendingDocs,
        lagSeconds,
        ...(lastError ? { lastError } : {}),
      })),
    });
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    for (const off of this.#off) off();
    this.#watchdog?.close();
    for (const r of this.#reps) await r.close();
    for (const db of Object.values(this.#remotes)) await db.close().catch(() => undefined);
  }
}

async function putLatest(db: PouchDb, id: string, body: Record<string, unknown>): Promise<void> {
  const cur = await db.get(id).catch(() => undefined);
  await db.put({ _id: id, ...(cur?._rev ? { _rev: cur._rev } : {}), ...body });
}
