import type { Agent } from 'node:https';
import {
  type AuditDocSource,
  HybridClock,
  hqSealer,
  OutboundProjector,
  type PouchDb,
  type PouchDoc,
  pumpAudit,
  type ReconcileReport,
  type Replicator,
  type ResidencyPolicy,
  reconcile,
  type SignedPolicy,
  type SyncWatchdog,
} from '../../../sync/src/index.ts';
import { type EventBus, SupervisedLoop } from '../events/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { createLogger } from '../logging/index.ts';
import type { CryptoFacade } from '../storage/index.ts';
import { AuditWatch } from './audit-watch.ts';
import { ControlGate } from './control-gate.ts';
import type { FleetFigures } from './fleet-figures.ts';
import type { InboundTargets } from './inbound.ts';
import { applyInbound } from './inbound-docs.ts';
import { OUTBOUND, startReplication, watchReplication } from './outbound.ts';
import { type PolicyChangeRecord, PolicyHolder } from './policy-holder.ts';
import { putLatest } from './put-latest.ts';
import { discardQuarantined, type ReleaseOutcome, releaseQuarantined } from './quarantine.ts';
import { QuarantineBook } from './quarantine-book.ts';
import { RecordProjection, type RecordSources } from './records.ts';
import { buildStatus, type QuarantineEntry, type SyncStatus, toEntry } from './status.ts';
import type { BridgeDbs } from './types.ts';

export type { BridgeDbs } from './types.ts';

const log = createLogger('sync-bridge');

export interface BridgeOptions {
  branchId: string;
  hqUrl: string;
  dbs: BridgeDbs;
  bus: EventBus;
  identity: IdentityService;
  crypto: CryptoFacade;
  tokenKey: Uint8Array;
  pinnedHqKey: string | undefined;
  /** HQ's published sealing key: `sealed` fields are sealed to it (absent: they stay at the branch). */
  hqSealKey?: string;
  /** Tickets and customers, read from their stores for the HQ projections (absent: none projected). */
  records?: RecordSources;
  agent?: Agent;
  /** Where HQ KB articles and routing policies are applied (absent: ignored). */
  content?: InboundTargets;
  /** Reconciliation period for tests; production schedules reconcile() nightly by cron. */
  reconcileEveryMs?: number;
  /** The audit store read verbatim (records, signed checkpoints, signed head): AuditLog changes/getDoc. */
  audit: AuditDocSource;
  /** How long HQ may lag behind the signed audit head before the branch alarms (default 60 s). */
  auditHeadGraceMs?: number;
  /** What HQ's fleet dashboard shows of this branch (version, certificates, system, backup, alarms). */
  fleet?: () => Promise<FleetFigures>;
}

/**
 * Wires sync into the appliance: bus → projections, replication, inbound freezes and policies.
 * The parts live beside it: outbound.ts (projection, replication, watchdog), inbound-docs.ts,
 * policy-holder.ts and quarantine-book.ts; this class starts, schedules and closes them.
 */
export class SyncBridge {
  readonly #o: BridgeOptions;
  readonly #policy: PolicyHolder;
  readonly projector: OutboundProjector;
  readonly #reps: Replicator[] = [];
  #remotes: Record<string, PouchDb> = {};
  #watchdog: SyncWatchdog | undefined;
  #loops: SupervisedLoop[] = [];
  #off: Array<() => void> = [];
  #auditCursor: number | string = 0;
  readonly #quarantine: QuarantineBook;
  readonly #auditWatch: AuditWatch;
  readonly #control: ControlGate;
  readonly records: RecordProjection;
  #closed = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.#policy = new PolicyHolder({
      bus: options.bus,
      pinnedHqKey: options.pinnedHqKey,
      state: options.dbs.state,
    });
    this.#quarantine = new QuarantineBook(options.dbs, options.bus);
    this.#auditWatch = new AuditWatch({
      local: options.dbs.audit,
      remote: () => this.#remotes['audit'],
      state: options.dbs.state,
      bus: options.bus,
      ...(options.auditHeadGraceMs === undefined ? {} : { graceMs: options.auditHeadGraceMs }),
    });
    this.projector = new OutboundProjector({
      branchId: options.branchId,
      policy: () => this.#policy.current,
      dbs: { tickets: options.dbs.tickets, crm: options.dbs.crm, audit: options.dbs.audit },
      state: options.dbs.state,
      tokenKey: options.tokenKey,
      // Sealed to HQ's key so HQ can open what the policy lets it see; no key, no sealed fields.
      sealer: options.hqSealKey ? hqSealer(options.hqSealKey) : { seal: async () => undefined },
      clock: new HybridClock(options.branchId),
    });
    this.records = new RecordProjection({
      sources: options.records ?? {},
      projector: this.projector,
      tokenKey: options.tokenKey,
    });
    this.#control = new ControlGate({
      branchId: options.branchId,
      pinnedKey: options.pinnedHqKey,
      state: options.dbs.state,
      quarantine: options.dbs.quarantine,
      bus: options.bus,
    });
  }

  get policy(): ResidencyPolicy {
    return this.#policy.current;
  }

  async start(): Promise<void> {
    const { bus, dbs, branchId, hqUrl } = this.#o;
    const saved = await dbs.state.get('policy').catch(() => undefined);
    if (saved?.['signed']) await this.applyPolicy(saved['signed'] as SignedPolicy, { persist: false });
    await this.#quarantine.reload();
    const cursor = await dbs.state.get('audit-feed-cursor').catch(() => undefined);
    this.#auditCursor = (cursor?.['since'] as number | string | undefined) ?? 0;
    this.#off.push(this.records.follow(bus));
    // Backfill: everything the current policy allows, also what existed before sync was set up.
    void this.records.backfill().catch((err: unknown) => log.error('backfill failed', { err }));
    const { reps, remotes } = startReplication({
      base: `${hqUrl}/b-${branchId}`,
      dbs,
      agent: this.#o.agent,
      onDenied: (cls, d) => this.#quarantine.record(cls, d.id, d.rev, d.reason),
      onPulled: (docs) => this.#applyInbound(docs),
    });
    this.#reps.push(...reps);
    this.#remotes = remotes;
    if (this.#o.reconcileEveryMs) {
      this.#every(this.#o.reconcileEveryMs, () => this.reconcile(), 'sync.reconcile');
    }
    this.#watchdog = watchReplication(this.#reps, dbs, bus);
    this.#every(2_000, () => this.pumpAudit(), 'sync.audit_pump');
    this.#every(5_000, () => this.publishStatus(), 'sync.status');
    this.#every(5_000, () => this.#auditWatch.checkHead(), 'sync.audit_head_check');
    // Freezes that arrived before a restart are applied again (freeze is idempotent).
    const inbound = await dbs.inbound.allDocs({ include_docs: true });
    await this.#applyInbound(inbound.rows.flatMap((r) => (r.doc ? [r.doc] : [])));
  }

  /** A supervised background job: never keeps the process alive; failures are logged, alarmed and backed off. */
  #every(ms: number, job: () => Promise<unknown>, name: string): void {
    const loop = new SupervisedLoop(name, async () => void (await job()), {
      everyMs: ms,
      backoffMs: ms,
      bus: this.#o.bus,
      log,
    });
    this.#loops.push(loop.start());
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

  #applyInbound(docs: PouchDoc[]): Promise<void> {
    return applyInbound(docs, {
      identity: this.#o.identity,
      bus: this.#o.bus,
      content: this.#o.content,
      tickets: this.#o.dbs.tickets,
      quarantine: this.#o.dbs.quarantine,
      refreshQuarantine: () => this.#refreshQuarantine(),
      applyPolicy: (signed) => this.applyPolicy(signed),
      admitControl: (doc) => this.#control.admit(doc),
      onWitnessVerdict: (doc) => this.#auditWatch.onVerdict(doc),
    });
  }

  /** The last policy change HQ sent (per class and field), for the Join HQ page. */
  lastPolicyChange(): Promise<PolicyChangeRecord | undefined> {
    return this.#policy.lastChange();
  }

  /** Adopts a residency policy if it verifies against the pinned HQ key and is newer. */
  applyPolicy(signed: SignedPolicy, options: { persist?: boolean } = {}): Promise<boolean> {
    return this.#policy.apply(signed, options);
  }

  async #refreshQuarantine(): Promise<void> {
    await this.#quarantine.reload();
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
      policyVersion: this.#policy.current.version,
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
      policyVersion: this.#policy.current.version,
      quarantine: this.#quarantine.tally,
      reachable: this.#watchdog?.reachable,
    });
  }

  /** Writes the status doc HQ reads (last seen, lag, quarantine summary); runs every 5 s. */
  async publishStatus(): Promise<void> {
    const s = await this.status();
    const fleet = await this.#o.fleet?.().catch((err: unknown) => {
      log.warn('fleet figures unavailable', { err });
      return undefined;
    });
    await putLatest(this.#o.dbs.status, 'status', {
      ...fleet,
      at: new Date().toISOString(),
      branchId: this.#o.branchId,
      lagDocs: s.lagDocs,
      lagSeconds: s.lagSeconds,
      quarantined: s.quarantined,
      quarantine: this.#quarantine.tally.recent,
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
    // Not awaited, as before: a reconcile waiting on an unreachable HQ must not hold up shutdown.
    for (const l of this.#loops.splice(0)) void l.close();
    for (const off of this.#off) off();
    this.#watchdog?.close();
    for (const r of this.#reps) await r.close();
    for (const db of Object.values(this.#remotes)) await db.close().catch(() => undefined);
  }
}
