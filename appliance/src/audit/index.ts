/**
 * Audit: the hash-chained, append-only log with signed Merkle checkpoints, a
 * verifier that names where tampering happened, search/export for auditors,
 * and the bus listener that records every domain event.
 * @example
 * const store = await openPouchStore(join(dataDir, 'db'), 'audit');
 * const audit = await createAuditLog(store, { signer: await loadOrCreateSigningKey(dataDir), bus });
 * attachAuditListener(bus, audit);
 * const report = await audit.verify(); // { ok, records, checkpoints, problems }
 */

export type { AuditErrorCode } from './errors.ts';
/**
 * Coded errors: AUDIT_FORBIDDEN (403), AUDIT_INVALID_SETTINGS, AUDIT_EXPORT_TOO_LARGE, AUDIT_WRITE_FAILED.
 * @example
 * if (err instanceof AuditError && err.code === 'AUDIT_FORBIDDEN') showDenied();
 */
export { AuditError } from './errors.ts';
export type { PersonalDataRead } from './listener.ts';
/**
 * Records every domain event; `recordPersonalDataRead` records reads explicitly.
 * @example
 * const off = attachAuditListener(bus, audit);
 * await recordPersonalDataRead(audit, { actor: p.userId, target: 'customer:c42', source: ip, fields: ['phone'] });
 */
export {
  attachAuditListener,
  /**
   * Target and details for one audit record covering a batch of reads: a digest names the
   * batch (the target never grows with it); count, digest and ids go in the details.
   * @example
   * const { target, details } = batchTarget('ticket', ids);
   * await recordRead({ actor: 'system:analytics', target, details, action: 'analytics.ticket_subjects_read' });
   */
  batchTarget,
  recordPersonalDataRead,
} from './listener.ts';
export type { AuditLogOptions } from './log.ts';
export { AuditLog, createAuditLog } from './log.ts';
/**
 * Record format 2: salted commitments to actor/target/source/details, so a copy
 * shaped by the residency policy still verifies; `openingOf` gives the key that
 * lets HQ check one field shipped unchanged.
 * @example
 * const openings = { actor: openingOf(rec.salt, 'actor') }; // ship with the shaped record
 */
export { COMMITTED_FIELDS, commitOf, isFormat2, openingOf, RECORD_FORMAT } from './record-format.ts';
/**
 * Auditor routes, mounted under /api.
 * @example
 * createApp({ ..., mount: [['/api', auditRoutes(audit)]] });
 */
export { auditRoutes } from './routes.ts';
/**
 * The appliance's Ed25519 audit key at `<dataDir>/keys/audit-signing.key` (0600).
 * @example
 * const signer = await loadOrCreateSigningKey(dataDir);
 * hq.registerWitnessKey(signer.publicKey); // also: await readAuditPublicKey(dataDir)
 */
export {
  ephemeralSigner,
  loadOrCreateSigningKey,
  readAuditPublicKey,
  signingKeyPath,
} from './signing-key.ts';
export type {
  AuditInput,
  AuditOutcome,
  AuditPrincipal,
  AuditQuery,
  AuditRecord,
  AuditSettings,
  AuditSigner,
  Checkpoint,
  ProblemKind,
  SearchResult,
  VerifyProblem,
  VerifyReport,
} from './types.ts';
export type { VerifyOptions } from './verify.ts';
/**
 * Verifies a store without a running AuditLog (the CLI does this).
 * @example
 * const report = await verifyAuditStore(store, { publicKey: await readAuditPublicKey(dataDir) });
 */
export { verifyAuditStore } from './verify.ts';
