import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EventBus } from '../events/index.ts';
import { readCertificateExpiry, type HealthSnapshot as SystemSnapshot } from '../system/index.ts';

/**
 * What HQ's fleet dashboard shows of a branch, carried in its status doc.
 * Figures and names only: no customer, agent or file names (alarm details can
 * name a customer's file, so only the alarm's name and severity leave).
 */
export interface FleetFigures {
  applianceVersion: string;
  /** From the appliance's health (systeminformation); null when it could not be read. */
  system: { cpuLoad: number; memUsedPct: number; diskFreePct: number } | null;
  /** notAfter (ISO) of the certificates the branch holds, when present. */
  certificates: { server?: string; hqClient?: string };
  /** mtime (ISO) of the newest archive in `<dataDir>/backups/`; absent: never backed up. */
  lastBackupAt?: string;
  /** Distinct alarms raised in the last 24 h (the bus has no "cleared" event: an alarm is open for a day). */
  openAlarms: number;
  alarms: Array<{ alarm: string; severity: string; at: string }>;
}

const OPEN_FOR_MS = 24 * 3600_000;

/** Alarms raised on the bus, by name, for the last 24 h (in memory: a restart starts empty). */
export class AlarmBook {
  readonly #byName = new Map<string, { alarm: string; severity: string; at: string }>();
  readonly #off: () => void;

  constructor(bus: EventBus) {
    this.#off = bus.subscribe('system.alarm_raised', (e) => {
      this.#byName.set(e.data.alarm, { alarm: e.data.alarm, severity: e.data.severity, at: e.at });
    });
  }

  open(now = Date.now()): Array<{ alarm: string; severity: string; at: string }> {
    for (const [k, a] of this.#byName) if (now - Date.parse(a.at) > OPEN_FOR_MS) this.#byName.delete(k);
    return [...this.#byName.values()].sort((a, b) => b.at.localeCompare(a.at));
  }

  close(): void {
    this.#off();
  }
}

async function certExpiry(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  return (await readCertificateExpiry(file).catch(() => undefined))?.toISOString();
}

async function newestBackup(dataDir: string): Promise<string | undefined> {
  const dir = path.join(dataDir, 'backups');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.blbak'));
  let newest = 0;
  for (const n of names) newest = Math.max(newest, (await stat(path.join(dir, n))).mtimeMs);
  return newest > 0 ? new Date(newest).toISOString() : undefined;
}

/** Reads the figures for one status doc (health is cached by the health module: cheap every 5 s). */
export async function readFleetFigures(input: {
  dataDir: string;
  branchId: string;
  /** The appliance's `/healthz` snapshot (system/health.ts): `version` and `system` are read from it. */
  health: () => Promise<object>;
  alarms: AlarmBook;
}): Promise<FleetFigures> {
  const snap = (await input.health().catch(() => undefined)) as Partial<SystemSnapshot> | undefined;
  const [server, hqClient, lastBackupAt] = await Promise.all([
    certExpiry(path.join(input.dataDir, 'tls', 'server.crt')),
    certExpiry(path.join(input.dataDir, 'sync', `branch-${input.branchId}.crt`)),
    newestBackup(input.dataDir),
  ]);
  const alarms = input.alarms.open();
  const sys = snap?.system;
  return {
    applianceVersion: snap?.version ?? 'unknown',
    system: sys ? { cpuLoad: sys.cpuLoad, memUsedPct: sys.memUsedPct, diskFreePct: sys.diskFreePct } : null,
    certificates: { ...(server ? { server } : {}), ...(hqClient ? { hqClient } : {}) },
    ...(lastBackupAt ? { lastBackupAt } : {}),
    openAlarms: alarms.length,
    alarms: alarms.slice(0, 20),
  };
}
