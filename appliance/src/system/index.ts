/**
 * System context: appliance operations — health, scheduled jobs, encrypted
 * backups with a recovery key, local TLS material, and systemd notification.
 *
 * @example
 * import { createHealth, createScheduler, ensureRecoveryKey, ensureTlsMaterial, notify } from './system/index.ts';
 * const recovery = await ensureRecoveryKey(cfg.dataDir);
 * if (recovery.created) process.stdout.write(`Recovery key (write it down): ${recovery.recoveryKey}\n`);
 * const tls = await ensureTlsMaterial(cfg.dataDir, { hosts: [] });
 * const health = createHealth({ dataDir: cfg.dataDir, version: '0.1.0', checks: { store: async () => ({ ok: true }) } });
 * const jobs = createScheduler();
 * jobs.schedule('backup', '0 3 * * *', async () => { await createBackup(cfg.dataDir); });
 * await notify('READY=1');
 */

export type { BackupResult, CreateBackupOptions, RestoreBackupOptions } from './backup.ts';
export {
  /**
   * Encrypted archive of the data dir (except `backups/` and LOCK files).
   * @example
   * const { file } = await createBackup(dataDir); // <dataDir>/backups/branchline-20250101T030000Z.blbak
   */
  createBackup,
  /**
   * Restores an archive into an empty or new dir (or any dir with `force`), all or nothing.
   * @example
   * await restoreBackup(file, { target: '/var/lib/branchline', recoveryKey: 'ABCD-…' });
   */
  restoreBackup,
} from './backup.ts';
export type { TlsMaterial, TlsOptions } from './certs.ts';
export {
  /**
   * Local CA + server certificate in `<dataDir>/tls/`, created or reissued as needed.
   * @example
   * const { key, cert, notAfter } = await ensureTlsMaterial(dataDir, { hosts: ['branch.lan'] });
   */
  ensureTlsMaterial,
  /**
   * `notAfter` of a PEM certificate file, for the certificate-expiry job.
   * @example
   * const expires = await readCertificateExpiry(tls.certPath);
   */
  readCertificateExpiry,
} from './certs.ts';
export type { SystemErrorCode } from './errors.ts';
export { SystemError } from './errors.ts';
export type { Health, HealthCheck, HealthOptions, HealthSnapshot, SystemFigures } from './health.ts';
export {
  /**
   * Health snapshot for `/healthz`: `{status, uptimeS, version, checks, system}`.
   * @example
   * const health = createHealth({ dataDir, checks: { store: async () => ({ ok: true }) } });
   * const body = await health.snapshot();
   */
  createHealth,
} from './health.ts';
export type { JobFn, RunOutcome, Scheduler, SchedulerOptions } from './jobs.ts';
export {
  /**
   * Named cron jobs that never overlap themselves; `close()` stops them all.
   * @example
   * const jobs = createScheduler();
   * jobs.schedule('cert-expiry', '0 6 * * *', checkExpiry);
   */
  createScheduler,
} from './jobs.ts';
export type { BackupEntry } from './ops-module.ts';
export {
  /**
   * Admin home's operations API: `/api/system/backups` (list, back up now) and `/api/system/certificates`.
   * @example
   * export const MODULES = [...others, systemOpsModule];
   */
  systemOpsModule,
} from './ops-module.ts';
export type { RecoveryKeyState } from './recovery-key.ts';
export {
  /**
   * Validates a typed recovery key against the verifier on this box.
   * @example
   * if (!(await checkRecoveryKey(dataDir, typed))) throw new Error('not this appliance’s key');
   */
  checkRecoveryKey,
  /**
   * Creates the recovery key on first run (`created: true`: show it once; only a verifier
   * is stored), migrates a plain-text `keys/recovery.key` away, else does nothing.
   * @example
   * const r = await ensureRecoveryKey(dataDir); if (r.created) print(r.recoveryKey);
   */
  ensureRecoveryKey,
  /**
   * Validates a typed recovery key (checksum catches typos) and returns its 32 bytes.
   * @example
   * parseRecoveryKey('ABCD-EFGH-…');
   */
  parseRecoveryKey,
} from './recovery-key.ts';
export type { NotifyOptions } from './sd-notify.ts';
export {
  /**
   * sd_notify via `systemd-notify`; false when not under systemd.
   * @example
   * await notify('READY=1\nSTATUS=serving');
   */
  notify,
  /**
   * WATCHDOG=1 every `intervalMs` (half of WatchdogSec).
   * @example
   * const wd = startWatchdog({ intervalMs: 15_000 }); // wd.close() on shutdown
   */
  startWatchdog,
} from './sd-notify.ts';
export type { SelfTestOptions } from './self-test.ts';
export {
  /**
   * Post-update self-test checks for `createHealth({ selfTest })` (`/healthz?selftest=1`).
   * @example
   * createHealth({ dataDir, selfTest: selfTestChecks({ bind, sipPort, smtpPort, storesOpen, verifyAudit }) });
   */
  selfTestChecks,
} from './self-test.ts';
export {
  /**
   * True for a loopback bind (developer box: no LAN names, HTTP served as is).
   * @example
   * if (!isLoopbackBind(cfg.bind)) redirectHttp = true;
   */
  isLoopbackBind,
  /**
   * Host name + LAN addresses the server certificate must name for a bind address.
   * @example
   * const tls = await ensureTlsMaterial(dataDir, { hosts: tlsHostsFor('0.0.0.0') });
   */
  tlsHostsFor,
} from './tls-hosts.ts';
