import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAuditLog, ephemeralSigner } from '../../appliance/src/audit/index.ts';
import { openPouchStore } from '../../appliance/src/storage/index.ts';
import { pumpAudit } from '../../sync/src/audit-feed.ts';
import { AuditWitness } from '../../sync/src/hq/witness.ts';
import { FaultProxy, PouchDB, Replicator } from '../../sync/src/index.ts';
import { SyncWatchdog } from '../../sync/src/watchdog.ts';
import { freePort } from './ports.ts';
import { makeBranch, waitFor } from './sync-fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `npm run hq`'s entry point as a child process (so it can be killed and restarted). */
export async function spawnHq(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync/src/hq-main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      BRANCHLINE_HQ_DATA_DIR: dataDir,
      BRANCHLINE_HQ_PORT: String(port),
      // `npm run hq` requires branch credentials; enrolling P1 writes them to enrolment/P1.json.
      BRANCHLINE_HQ_BRANCHES: 'P1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b;
      if (out.includes('hq ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hq exited ${code}`)));
  });
  return child;
}

export async function stopHq(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await done;
}

export interface PartitionResult {
  tickets: number;
  audit: number;
  cuts: number;
  restarts: number;
  missing: number;
  extra: number;
  revMismatch: number;
  healSeconds: number;
  witnessOk: boolean;
  witnessProblems: string[];
  stallRestarts: number;
}

/**
 * Branch → fault proxy → HQ (child process): writes tickets and audit records
 * while cutting the link and restarting HQ, then heals and compares both sides
 * by id and revision.
 */
export async function runPartition(size: {
  tickets: number;
  audit: number;
  cuts: number;
  restarts: number;
}): Promise<PartitionResult> {
  const hqDir = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-part-'));
  const port = await freePort();
  let hq = await spawnHq(hqDir, port);
  const proxy = await FaultProxy.start({ port }, { delayMs: 1 });
  const creds = JSON.parse(readFileSync(path.join(hqDir, 'enrolment', 'P1.json'), 'utf8')) as {
    username: string;
    password: string;
  };
  const userinfo = `${encodeURIComponent(creds.username)}:${encodeURIComponent(creds.password)}@`;
  const branch = await makeBranch('P1');
  const auditStore = await openPouchStore(path.join(branch.dir, 'db'), 'audit');
  const audit = await createAuditLog(auditStore, {
    signer: await ephemeralSigner(),
    checkpointIntervalMs: 0,
  });
  writeFileSync(path.join(hqDir, 'branch-keys.json'), JSON.stringify({ P1: audit.publicKey }));
  const reps = (['tickets', 'audit'] as const).map(
    (cls) =>
      new Replicator({
        name: cls,
        local: branch.dbs[cls],
        remoteUrl: `${proxy.url.replace('://', `://${userinfo}`)}/b-P1-${cls}`,
        direction: 'push',
        backoff: { baseMs: 200, maxMs: 2_000 },
      }),
  );
  const watchdog = new SyncWatchdog({
    replicators: reps.map((r, i) => ({ r, local: i === 0 ? branch.dbs.tickets : branch.dbs.audit })),
    stallMs: 3_000,
    intervalMs: 1_000,
    onAlarm: () => undefined,
  });
  for (const r of reps) r.start();
  watchdog.start();
  let cursor: number | string = 0;
  const steps = 20;
  const faultAt = new Set<number>();
  while (faultAt.size < size.cuts + size.restarts) faultAt.add(1 + Math.floor(Math.random() * (steps - 2)));
  const faults = [...faultAt].sort((a, b) => a - b);
  const restartSteps = new Set(faults.slice(0, size.restarts).map((_, i) => faults[i * 2] ?? faults[i]));
  let ticketNo = 0;
  let auditNo = 0;
  try {
    for (let step = 0; step < steps; step++) {
      const tEnd = Math.round((size.tickets * (step + 1)) / steps);
      const aEnd = Math.round((size.audit * (step + 1)) / steps);
      const writes: Promise<unknown>[] = [];
      for (; auditNo < aEnd; auditNo++) {
        writes.push(
          audit.append({
            actor: 'u1',
            action: 'ticket.updated',
            target: `ticket:t${auditNo % 97}`,
            outcome: 'success',
          }),
        );
      }
      await Promise.all(writes);
      for (; ticketNo < tEnd; ticketNo++) {
        await branch.projector.projectRecord('tickets', {
          id: `t${ticketNo}`,
          status: 'open',
          priority: 'normal',
        });
      }
      if (step % 5 === 4) await audit.checkpoint();
      cursor = (await pumpAudit(auditStore, branch.projector, cursor)).cursor;
      if (restartSteps.has(step)) {
        await stopHq(hq);
        await new Promise((r) => setTimeout(r, 300));
        hq = await spawnHq(hqDir, port);
      } else if (faultAt.has(step)) {
        if (step % 2 === 0) proxy.resetAll();
        proxy.cut();
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 600));
        proxy.heal();
      }
    }
    await audit.checkpoint();
    cursor = (await pumpAudit(auditStore, branch.projector, cursor)).cursor;
    proxy.heal();
    const healStart = Date.now();
    const direct = (cls: string) => new PouchDB(`http://${userinfo}127.0.0.1:${port}/b-P1-${cls}`);
    const compare = async () => {
      let missing = 0;
      let extra = 0;
      let revMismatch = 0;
      for (const cls of ['tickets', 'audit'] as const) {
        const local = await branch.dbs[cls].allDocs();
        const remoteDb = direct(cls);
        const remote = await remoteDb
          .allDocs()
          .catch(() => ({ rows: [] as Array<{ id: string; value: { rev: string } }> }));
        await remoteDb.close();
        const theirs = new Map(remote.rows.map((r) => [r.id, r.value.rev]));
        const mine = new Set(local.rows.map((r) => r.id));
        for (const r of local.rows) {
          const rev = theirs.get(r.id);
          if (rev === undefined) missing++;
          else if (rev !== r.value.rev) revMismatch++;
        }
        // HQ's own rules design doc (installed at enrolment) is HQ's, not a branch document.
        for (const id of theirs.keys()) if (!mine.has(id) && !id.startsWith('_design/')) extra++;
      }
      return { missing, extra, revMismatch };
    };
    await waitFor(
      async () => {
        const c = await compare();
        return c.missing === 0 && c.extra === 0 && c.revMismatch === 0;
      },
      120_000,
      500,
    );
    const healSeconds = (Date.now() - healStart) / 1000;
    const result = await compare();
    const auditDb = direct('audit');
    const witness = await new AuditWitness().verify('P1', auditDb, audit.publicKey);
    await auditDb.close();
    const ticketsDb = direct('tickets');
    const ticketCount = (await ticketsDb.allDocs({ startkey: 'ticket:', endkey: 'ticket:\uffff' })).rows
      .length;
    await ticketsDb.close();
    const auditRecs = (await direct('audit').allDocs({ startkey: 'rec:', endkey: 'rec:\uffff' })).rows.length;
    return {
      tickets: ticketCount,
      audit: auditRecs,
      cuts: size.cuts,
      restarts: size.restarts,
      ...result,
      healSeconds,
      witnessOk: witness.ok,
      witnessProblems: witness.problems,
      stallRestarts: reps.reduce((n, r) => n + r.status.restarts, 0),
    };
  } finally {
    watchdog.close();
    for (const r of reps) await r.close();
    await proxy.close();
    await stopHq(hq, 'SIGTERM');
    await audit.close();
    await auditStore.close();
    await branch.close();
    await rm(hqDir, { recursive: true, force: true });
  }
}
