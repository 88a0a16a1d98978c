import type { PouchDoc } from '../pouch.ts';
import type { WitnessReport } from './witness.ts';

/** When the fleet dashboard raises an alert for a branch. */
export interface FleetThresholds {
  /** A branch whose last status doc is older than this is offline (it writes one every 5 s). */
  silentAfterS: number;
  /** Replication lag (seconds) above which a branch is lagging. */
  lagSeconds: number;
  /** Replication lag (documents pending) above which a branch is lagging. */
  lagDocs: number;
}

export const DEFAULT_FLEET_THRESHOLDS: FleetThresholds = { silentAfterS: 30, lagSeconds: 60, lagDocs: 500 };

/** One branch as the fleet dashboard shows it, from its status doc and HQ's audit witness. */
export interface FleetRow {
  branch: string;
  online: boolean;
  lastSeen?: string;
  secondsSinceSeen?: number;
  lagDocs?: number;
  lagSeconds?: number;
  quarantined?: number;
  policyVersion?: number;
  applianceVersion?: string;
  /** The earliest notAfter of the certificates the branch reported, and whose it is. */
  certExpiresAt?: string;
  certName?: string;
  system?: { cpuLoad: number; memUsedPct: number; diskFreePct: number } | null;
  lastBackupAt?: string;
  backupAgeHours?: number;
  openAlarms?: number;
  alarms?: Array<{ alarm: string; severity: string; at: string }>;
  witness?: { ok: boolean; at: string; records: number; checkpoints: number; problems: string[] };
}

export type FleetAlertKind = 'silent' | 'lagging' | 'witness_failed';

export interface FleetAlert {
  branch: string;
  kind: FleetAlertKind;
  /** English detail for logs and monitoring; the page translates by `kind`. */
  detail: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function systemOf(v: unknown): FleetRow['system'] {
  if (v === null) return null;
  const o = v as Record<string, unknown> | undefined;
  const cpuLoad = num(o?.['cpuLoad']);
  const memUsedPct = num(o?.['memUsedPct']);
  const diskFreePct = num(o?.['diskFreePct']);
  if (cpuLoad === undefined || memUsedPct === undefined || diskFreePct === undefined) return undefined;
  return { cpuLoad, memUsedPct, diskFreePct };
}

function earliestCert(v: unknown): { at: string; name: string } | undefined {
  const certs = Object.entries((v ?? {}) as Record<string, unknown>).flatMap(([name, at]) =>
    typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? [{ name, at }] : [],
  );
  return certs.sort((a, b) => a.at.localeCompare(b.at))[0];
}

/**
 * Builds a branch's row from its last status doc (written by the branch every
 * 5 s and replicated like any other document) and the witness's last verdict.
 * Fields the branch did not report (an older appliance) stay absent.
 */
export function fleetRow(
  branch: string,
  status: PouchDoc | undefined,
  witness: { report: WitnessReport; at: string } | undefined,
  options: { thresholds?: FleetThresholds; now?: number } = {},
): FleetRow {
  const t = options.thresholds ?? DEFAULT_FLEET_THRESHOLDS;
  const now = options.now ?? Date.now();
  const w = witness
    ? {
        witness: {
          ok: witness.report.ok,
          at: witness.at,
          records: witness.report.records,
          checkpoints: witness.report.checkpoints,
          problems: witness.report.problems.slice(0, 5),
        },
      }
    : {};
  const seen = status ? Date.parse(String(status['at'])) : Number.NaN;
  if (!status || Number.isNaN(seen)) return { branch, online: false, ...w };
  const secondsSinceSeen = Math.max(0, Math.round((now - seen) / 1000));
  const lagDocs = num(status['lagDocs']) ?? 0;
  // The branch measured its lag when it wrote the doc; while documents are pending the doc is itself this old.
  const lagSeconds = (num(status['lagSeconds']) ?? 0) + (lagDocs > 0 ? secondsSinceSeen : 0);
  const cert = earliestCert(status['certificates']);
  const backup = str(status['lastBackupAt']);
  const system = systemOf(status['system']);
  const alarms = Array.isArray(status['alarms'])
    ? (status['alarms'] as Array<Record<string, unknown>>).slice(0, 20).map((a) => ({
        alarm: String(a['alarm'] ?? ''),
        severity: String(a['severity'] ?? ''),
        at: String(a['at'] ?? ''),
      }))
    : undefined;
  const version = str(status['applianceVersion']);
  const policyVersion = num(status['policyVersion']);
  const openAlarms = num(status['openAlarms']);
  return {
    branch,
    online: secondsSinceSeen <= t.silentAfterS,
    lastSeen: new Date(seen).toISOString(),
    secondsSinceSeen,
    lagDocs,
    lagSeconds,
    quarantined: num(status['quarantined']) ?? 0,
    ...(policyVersion === undefined ? {} : { policyVersion }),
    ...(version ? { applianceVersion: version } : {}),
    ...(cert ? { certExpiresAt: cert.at, certName: cert.name } : {}),
    ...(system === undefined ? {} : { system }),
    ...(backup
      ? { lastBackupAt: backup, backupAgeHours: Math.round((now - Date.parse(backup)) / 360_000) / 10 }
      : {}),
    ...(openAlarms === undefined ? {} : { openAlarms }),
    ...(alarms ? { alarms } : {}),
    ...w,
  };
}

/** Alerts for monitoring and the page: silent (offline or never reported), lagging, audit witness failed. */
export function fleetAlerts(
  rows: FleetRow[],
  thresholds: FleetThresholds = DEFAULT_FLEET_THRESHOLDS,
): FleetAlert[] {
  const out: FleetAlert[] = [];
  for (const r of rows) {
    if (!r.online)
      out.push({
        branch: r.branch,
        kind: 'silent',
        detail:
          r.secondsSinceSeen === undefined
            ? 'no status received from this branch yet'
            : `no status for ${r.secondsSinceSeen} s (limit ${thresholds.silentAfterS} s)`,
      });
    else if ((r.lagSeconds ?? 0) > thresholds.lagSeconds || (r.lagDocs ?? 0) > thresholds.lagDocs)
      out.push({
        branch: r.branch,
        kind: 'lagging',
        detail: `replication lag ${r.lagDocs ?? 0} docs, ${r.lagSeconds ?? 0} s (limits ${thresholds.lagDocs} docs, ${thresholds.lagSeconds} s)`,
      });
    if (r.witness && !r.witness.ok)
      out.push({
        branch: r.branch,
        kind: 'witness_failed',
        detail: `audit witness failed: ${r.witness.problems.join('; ') || 'unknown problem'}`,
      });
  }
  return out;
}
