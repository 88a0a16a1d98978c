import { realpath } from 'node:fs/promises';
import path from 'node:path';
import si from 'systeminformation';

export type HealthCheck = () => Promise<{ ok: boolean; detail?: string }>;

export interface SystemFigures {
  /** Percent of all cores busy, 0–100. */
  cpuLoad: number;
  memUsedPct: number;
  /** Free space on the filesystem holding the data dir, percent. */
  diskFreePct: number;
}

export interface HealthSnapshot {
  /** `starting` until `ready()` says every listener is up; `/healthz` answers 503 then. */
  status: 'starting' | 'ok' | 'degraded';
  /** Only with `snapshot({ selfTest: true })`: every self-test check passed (mark-good.sh needs it). */
  selftest?: 'passed' | 'failed';
  uptimeS: number;
  version: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
  system: SystemFigures | null;
  selfTestChecks?: Record<string, { ok: boolean; detail?: string }>;
}

export interface HealthOptions {
  dataDir: string;
  checks?: Record<string, HealthCheck>;
  /** False while the appliance is still opening its listeners (SIP, SMTP, …). */
  ready?: () => boolean;
  /** Post-update self-test (`/healthz?selftest=1`): deeper checks than `checks`, run only on request. */
  selfTest?: Record<string, HealthCheck>;
  /** A self-test check slower than this counts as failed (default 60 s: it verifies the audit log). */
  selfTestTimeoutMs?: number;
  version?: string;
  /** How long system figures are reused; at least 5000 ms so /healthz stays cheap. */
  cacheMs?: number;
  /** A check slower than this counts as failed. */
  checkTimeoutMs?: number;
  now?: () => number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function readSystem(dataDir: string): Promise<SystemFigures> {
  const [load, mem, disks, dir] = await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize(),
    realpath(dataDir).catch(() => path.resolve(dataDir)),
  ]);
  // The data dir's filesystem is the mount with the longest matching prefix.
  const disk = disks
    .filter((d) => dir === d.mount || dir.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  return {
    cpuLoad: round1(load.currentLoad),
    memUsedPct: round1(mem.total > 0 ? (mem.active / mem.total) * 100 : 0),
    diskFreePct: round1(disk && disk.size > 0 ? (disk.available / disk.size) * 100 : 0),
  };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `timed out after ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const res = await Promise.race([check(), timeout]);
    return res.detail === undefined ? { ok: res.ok === true } : { ok: res.ok === true, detail: res.detail };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Health for `/healthz` and the admin panel. `systeminformation` is called only
 * here, with fixed arguments, and its figures are cached; checks run on each call.
 */
export function createHealth(options: HealthOptions) {
  const now = options.now ?? Date.now;
  const started = now();
  const cacheMs = Math.max(5000, options.cacheMs ?? 5000);
  const checks = options.checks ?? {};
  let cached: { at: number; value: SystemFigures | null } | undefined;
  let inFlight: Promise<SystemFigures | null> | undefined;

  function system(): Promise<SystemFigures | null> {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.value);
    inFlight ??= readSystem(options.dataDir)
      .catch(() => null)
      .then((value) => {
        cached = { at: now(), value };
        inFlight = undefined;
        return value;
      });
    return inFlight;
  }

  async function runAll(
    list: Record<string, HealthCheck>,
    timeoutMs: number,
  ): Promise<HealthSnapshot['checks']> {
    const names = Object.keys(list);
    const results = await Promise.all(names.map((n) => runCheck(list[n]!, timeoutMs)));
    return Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  }

  async function snapshot(request: { selfTest?: boolean } = {}): Promise<HealthSnapshot> {
    const [sys, out, self] = await Promise.all([
      system(),
      runAll(checks, options.checkTimeoutMs ?? 2000),
      request.selfTest ? runAll(options.selfTest ?? {}, options.selfTestTimeoutMs ?? 60_000) : undefined,
    ]);
    const allOk = Object.values(out).every((r) => r.ok);
    // Scalar fields first: mark-good.sh reads only the top level, before the first nested object.
    const snap: HealthSnapshot = {
      status: options.ready?.() === false ? 'starting' : allOk ? 'ok' : 'degraded',
      ...(self ? { selftest: Object.values(self).every((r) => r.ok) ? 'passed' : 'failed' } : {}),
      uptimeS: Math.floor((now() - started) / 1000),
      version: options.version ?? '0.0.0-dev',
      checks: out,
      system: sys,
    };
    if (self) snap.selfTestChecks = self;
    return snap;
  }

  return { snapshot };
}

export type Health = ReturnType<typeof createHealth>;
