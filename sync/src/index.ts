/**
 * Branch ↔ HQ sync: residency policy, outbound projections, replication,
 * conflict merge, watchdog, reconciliation, and the embedded HQ.
 * @example
 * const signed = signPolicy(defaultPolicy(), hqKey);
 * verifyPolicy(signed, pinnedHqKey); // true
 */

export type { AuditDocSource } from './audit-feed.ts';
/** @example const { cursor } = await pumpAudit(auditStore, projector, 0); */
export { pumpAudit } from './audit-feed.ts';
export { backoff } from './backoff.ts';
export { canonicalJson } from './canonical.ts';
/** @example const doc = signControl({ _id: 'freeze:u1:1', type: 'freeze', username: 'u1' }, 'B01', hqKey); verifyControl(doc, hqKey.publicKey, 'B01'); */
export {
  type ControlSignature,
  type ControlVerdict,
  controlPayload,
  signControl,
  verifyControl,
} from './control.ts';
/** @example const proxy = await FaultProxy.start({ port: hq.port }, { delayMs: 25 }); proxy.cut(); proxy.heal(); */
export { FaultProxy } from './fault-proxy.ts';
/** @example const clock = new HybridClock('B01'); clock.now(); // '001700000000000.000000.B01' */
export { formatHlc, HybridClock, parseHlc } from './hlc.ts';
export type { ArchiveCounts, ArchivedFile, ArchiveStore } from './hq/archive.ts';
/** @example const auth = new HqAuth(dataDir, { maxFailures: 5 }); await auth.accounts.ensureInitial(); */
export { HqAuth, type HqAuthOptions } from './hq/auth.ts';
/** @example branchAccess('B01', 'PUT', '/b-B01-inbound/x'); // { ok: false, reason: … } */
export { BRANCH_OUTBOUND_CLASSES, branchAccess } from './hq/branch-access.ts';
/** @example const creds = new BranchCredentials(dataDir); const { password } = creds.issue('B01'); */
export { type BranchCredential, BranchCredentials } from './hq/branch-credentials.ts';
/** @example const c = new HqConsole(couch, dataDir); const first = await c.ensureInitialOperator(); await c.listen(0); */
export { type BranchView, HqConsole, type ReportedQuarantine } from './hq/console.ts';
export type { HqCouch } from './hq/couch.ts';
/** @example const hq = await startHqCouch({ dataDir, port: 0 }); */
export { startHqCouch } from './hq/couch.ts';
export type { EnrolmentBundle } from './hq/enrolment.ts';
/** @example if (err instanceof HqError && err.code === 'HQ_LOCKED') retryLater(err.details); */
export { HqError, type HqErrorCode } from './hq/errors.ts';
/** @example const keys = await loadHqKeys(hqDataDir); keys.seal.publicKey; */
export { type HqKeys, type HqPublicKeys, loadHqKeys } from './hq/hq-keys.ts';
/** @example const { ticketsOpen, auditRecords } = await branchKpis(hq.db('b-B01-tickets'), hq.db('b-B01-audit')); */
export { type BranchKpis, branchKpis } from './hq/kpis.ts';
export type { MtlsProxy, MtlsProxyStats } from './hq/mtls-proxy.ts';
/** @example await startMtlsProxy({ caFile, certFile, keyFile, upstreamPort: hq.port }); */
export { allowedPath, startMtlsProxy } from './hq/mtls-proxy.ts';
/** @example await new PolicyLog(hq.db('hq-policy-log')).append('B01', signed, 'ops'); */
export { type IssuedPolicy, PolicyLog } from './hq/policy-log.ts';
/** @example fetch(url, { headers: { cookie: `${HQ_SESSION_COOKIE}=${id}`, [HQ_CSRF_HEADER]: csrfToken } }); */
export { HQ_CSRF_HEADER, HQ_SESSION_COOKIE } from './hq/sessions.ts';
/** @example await installHqRules(hq.db('b-B01-tickets'), { maxBytes: 65536, forbiddenFields: ['cardNumber'] }); */
export { type HqRules, hqRulesDesignDoc, installHqRules } from './hq/validation.ts';
/** @example const w = new AuditWitness(); await w.verify('B01', hqAuditDb, branchAuditKey); */
export { AuditWitness, type WitnessReport } from './hq/witness.ts';
/** @example const text = issueJoinBundle({ branch: 'B07', … }, hqKeys.control); decodeJoinBundle(text).hqUrl; */
export {
  caFingerprint,
  decodeJoinBundle,
  encodeJoinBundle,
  issueJoinBundle,
  JOIN_BUNDLE_PREFIX,
  type JoinBundle,
  JoinBundleError,
  type JoinBundleProblem,
  type PolicyChange,
  type PolicyFieldRow,
  policyDiff,
  policyRows,
} from './join-bundle.ts';
export type { FieldStamp, MergeableDoc, Resolution } from './merge.ts';
/** @example mergeFields(a.f, b.f); await resolveConflicts(db, 'ticket:t1'); */
export { mergeFields, resolveConflicts } from './merge.ts';
export type { OutboundDbs, OutboundOptions } from './outbound.ts';
/** @example await projector.projectRecord('tickets', { id: 't1', status: 'open', customerPhone: '+86…' }); */
export { OutboundProjector } from './outbound.ts';
export type {
  ArchiveRule,
  DataClass,
  FieldRule,
  PolicyKeyPair,
  ResidencyPolicy,
  SignedPolicy,
} from './policy.ts';
/** @example const key = generatePolicyKey(); const signed = signPolicy(defaultPolicy(), key); */
export {
  archiveRuleFor,
  assertPolicy,
  DATA_CLASSES,
  defaultPolicy,
  generatePolicyKey,
  ruleFor,
  signPolicy,
  verifyPolicy,
} from './policy.ts';
export type { PouchDb, PouchDoc } from './pouch.ts';
/** @example const db = new PouchDB(path); const hq = openRemote(url, { agent }); */
export { openRemote, PouchDB } from './pouch.ts';
export type { DbDifferences, ReconcileReport } from './reconcile.ts';
/** @example const report = await reconcile({ tickets: { local, remote } }); report.dbs.tickets.missingAtHq; */
export { diffDbs, reconcile } from './reconcile.ts';
export type { DeniedDoc, ReplicationStatus, ReplicatorOptions } from './replicator.ts';
/** @example const r = new Replicator({ name: 'tickets', local, remoteUrl, direction: 'push' }); r.start(); */
export { Replicator } from './replicator.ts';
/** @example const s = hqSealer(hqPublicSealKey); const plain = await openHqSealed(hqPrivateSealKey, await s.seal('x', ctx), ctx); */
export { generateHqSealKey, HQ_SEAL_PREFIX, type HqSealKeyPair, hqSealer, openHqSealed } from './seal.ts';
export type { SealContext, Sealer } from './shape.ts';
/** @example pseudonym(key, '+8613800000000'); // 'tok:…' */
export { fieldDigest, pseudonym, shapeValue } from './shape.ts';
export type { SyncAlarm } from './watchdog.ts';
/** @example const w = new SyncWatchdog({ replicators: [{ r, local }], onAlarm }); w.start(); */
export { SyncWatchdog } from './watchdog.ts';
