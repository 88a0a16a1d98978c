import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AuditQuery,
  createAuditLog,
  loadOrCreateSigningKey,
  readAuditPublicKey,
  type VerifyReport,
  verifyAuditStore,
} from '../audit/index.ts';
import { type DocStore, openPouchStore } from '../storage/index.ts';

export interface AuditIo {
  dataDir: string;
  out: (s: string) => void;
  err: (s: string) => void;
}

const USAGE = `Usage:
  branchline audit verify [--data-dir DIR] [--json]
  branchline audit export --format jsonl|csv [--out FILE] [--data-dir DIR]
                          [--actor ID] [--action NAME|PREFIX*] [--from ISO] [--to ISO]`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}

interface Opened {
  store: DocStore;
  /** Set when a copy is being read. */
  snapshot?: string;
  close(): Promise<void>;
}

/** Opens `<dataDir>/db/audit` for writing (export records itself); fails while the appliance holds the lock. */
async function openAuditDb(dataDir: string): Promise<Opened> {
  const store = await openPouchStore(join(dataDir, 'db'), 'audit');
  return { store, close: () => store.close() };
}

/**
 * Opens a private copy of `<dataDir>/db/audit`. Verification never opens the
 * evidence itself: LevelDB writes on open (LOCK, LOG, a new MANIFEST, a
 * compaction), so a forensic check of a stopped appliance would change it.
 */
async function openAuditCopy(dataDir: string): Promise<Opened> {
  const tmp = await mkdtemp(join(tmpdir(), 'branchline-audit-'));
  try {
    await cp(join(dataDir, 'db', 'audit'), join(tmp, 'db', 'audit'), { recursive: true });
    const store = await openPouchStore(join(tmp, 'db'), 'audit');
    return {
      store,
      snapshot: tmp,
      close: async () => {
        await store.close();
        await rm(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

function printReport(report: VerifyReport, io: AuditIo): void {
  const counts = `${report.records} records, ${report.checkpoints} checkpoints, last seq ${report.lastSeq}`;
  if (report.keySource !== 'trusted')
    io.err('warning: key file missing; signatures checked against the key the log itself names');
  if (report.ok) {
    io.out(`OK: audit log verified (${counts})`);
    return;
  }
  io.out(`FAILED: ${report.problems.length} problem(s) in the audit log (${counts})`);
  for (const p of report.problems.slice(0, 500)) {
    io.out(`  ${p.seq === undefined ? '-' : `seq ${p.seq}`}\t${p.kind}\t${p.id ?? ''}\t${p.message}`);
  }
  if (report.problems.length > 500) io.out(`  … and ${report.problems.length - 500} more`);
}

/** Copies of a live database taken before one is believed to be torn. */
const SNAPSHOT_ATTEMPTS = 3;

async function verify(dataDir: string, asJson: boolean, io: AuditIo): Promise<number> {
  const publicKey = await readAuditPublicKey(dataDir);
  for (let attempt = 1; ; attempt++) {
    let db: Opened;
    try {
      db = await openAuditCopy(dataDir);
    } catch (err) {
      // A copy of a live store can catch LevelDB mid-compaction (a table named but not yet written): copy again.
      if (attempt < SNAPSHOT_ATTEMPTS && /corrupt|no such file/i.test(errorText(err))) {
        await new Promise((r) => setTimeout(r, 200 * attempt));
        continue;
      }
      throw err;
    }
    try {
      const report = await verifyAuditStore(db.store, publicKey === undefined ? {} : { publicKey });
      // Tampering stays; a torn copy of a database being written does not.
      if (!report.ok && attempt < SNAPSHOT_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, 200 * attempt));
        continue;
      }
      io.err('note: verifying a copy taken just now; the data directory is only read');
      if (asJson) io.out(JSON.stringify({ ...report, snapshot: true }));
      else printReport(report, io);
      return report.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  }
}

async function exportLog(dataDir: string, values: Record<string, unknown>, io: AuditIo): Promise<number> {
  const format = values['format'];
  if (format !== 'jsonl' && format !== 'csv') {
    io.err(`--format must be jsonl or csv\n${USAGE}`);
    return 2;
  }
  const query: AuditQuery = {};
  for (const k of ['actor', 'action', 'from', 'to'] as const) {
    if (typeof values[k] === 'string') query[k] = values[k] as string;
  }
  // Exports must be audited; a locked DB means the appliance runs, and its API records the export.
  const db = await openAuditDb(dataDir).catch((err: unknown) => {
    throw new Error(
      `Cannot open the audit log (is the appliance running? then use GET /api/audit/export): ${errorText(err)}`,
    );
  });
  try {
    const audit = await createAuditLog(db.store, {
      signer: await loadOrCreateSigningKey(dataDir),
      checkpointIntervalMs: 0,
    });
    try {
      const body =
        format === 'csv'
          ? await audit.exportCsv(query, { maxRows: Infinity })
          : await audit.exportJsonl(query, { maxRows: Infinity });
      const rows = body.split('\n').filter((l) => l.trim() !== '').length - (format === 'csv' ? 1 : 0);
      if (typeof values['out'] === 'string') await writeFile(values['out'], body, { mode: 0o600 });
      else io.out(body.replace(/\r?\n$/, ''));
      await audit.append({
        actor: `cli:${userInfo().username}`,
        action: 'audit.exported',
        target: 'audit:log',
        outcome: 'success',
        details: { format, rows, query: { ...query }, via: 'cli' },
      });
      io.err(`exported ${rows} records`);
      return 0;
    } finally {
      await audit.close();
    }
  } finally {
    await db.close();
  }
}

/**
 * `branchline audit verify|export`. Returns the exit code: 0 ok, 1 verification
 * failed (or the command failed), 2 usage error / no audit database.
 */
export async function auditCommand(argv: string[], io: AuditIo): Promise<number> {
  const [sub, ...rest] = argv;
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : io.dataDir;
  if ((sub === 'verify' || sub === 'export') && !existsSync(join(dataDir, 'db', 'audit'))) {
    io.err(`No audit database at ${join(dataDir, 'db', 'audit')}`);
    return 2;
  }
  try {
    if (sub === 'verify') return await verify(dataDir, values['json'] === true, io);
    if (sub === 'export') return await exportLog(dataDir, values, io);
  } catch (err) {
    io.err(`audit ${sub} failed: ${errorText(err)}`);
    return 1;
  }
  io.err(USAGE);
  return 2;
}
