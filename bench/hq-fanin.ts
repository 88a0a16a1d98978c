// `npm run bench -- hq-fanin`: N branches (20, 50, 100) each write ~5 docs/s to
// their outbound db and push it live to one embedded HQ (its own process, auth
// on: each branch with its own credentials) over the CouchDB replication
// protocol, with the Replicator branches use. Lag = arrival in HQ's db (its
// change feed, in the HQ process) minus the write at the branch (same clock).
// HQ CPU (% of one core) and RSS come from /proc/<pid> over the measured window.
// The branches run in BENCH_HQ_FANIN_PROCS (4) processes of their own
// (hq-fanin-branches.ts); on a small machine they compete with HQ for the
// cores, which the figures include.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const SIZES = (process.env['BENCH_HQ_FANIN_SIZES'] ?? '20,50,100').split(',').map(Number);
const WARMUP_MS = 5_000;
const MEASURE_MS = Number(process.env['BENCH_HQ_FANIN_MEASURE_MS'] ?? 20_000);
/** Processes the simulated branches are spread over (one event loop cannot drive 100 branches). */
const BRANCH_PROCESSES = Number(process.env['BENCH_HQ_FANIN_PROCS'] ?? 4);
const TICK_HZ = 100; // USER_HZ on Linux

interface Figures {
  lag_p50_ms: number;
  lag_p99_ms: number;
  hq_cpu_pct: number;
  hq_rss_mb: number;
  docs_arrived: number;
  docs_written: number;
  /** The machine's 1-minute load average at the end of the window: the figures mean little on a busy box. */
  load_1m: number;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return -1;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function startHq(n: number, dir: string) {
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'hq-fanin-hq.ts'), String(n), dir],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
  const hello = (await next()) as { port: number; passwords: string[] };
  return {
    proc,
    ...hello,
    async lags(): Promise<number[]> {
      proc.stdin?.write('report\n');
      return ((await next()) as { lags: number[] }).lags;
    },
    async stop() {
      const done = new Promise((r) => proc.once('exit', r));
      proc.stdin?.end();
      proc.kill('SIGTERM');
      await done;
    },
  };
}

/** One process holding branches first..first+count-1. */
async function startBranches(port: number, first: number, passwords: string[], dir: string) {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'hq-fanin-branches.ts'),
      String(port),
      String(first),
      String(passwords.length),
      dir,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_FANIN_PASSWORDS: JSON.stringify(passwords) },
    },
  );
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  if ((await lines.next()).done) throw new Error(`branch process for F${first}.. exited before it was ready`);
  return {
    async written(): Promise<number> {
      proc.stdin?.write('count\n');
      return Number((await lines.next()).value);
    },
    async stop() {
      const done = new Promise((r) => proc.once('exit', r));
      proc.stdin?.end();
      await done;
    },
  };
}

async function runSize(n: number): Promise<Figures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `bl-bench-fanin-${n}-`));
  const hq = await startHq(n, path.join(dir, 'hq'));
  const groups: Array<Awaited<ReturnType<typeof startBranches>>> = [];
  try {
    const per = Math.ceil(n / BRANCH_PROCESSES);
    for (let first = 0; first < n; first += per)
      groups.push(
        await startBranches(
          hq.port,
          first,
          hq.passwords.slice(first, first + per),
          path.join(dir, 'branches'),
        ),
      );
    const written = async () =>
      (await Promise.all(groups.map((g) => g.written()))).reduce((a, b) => a + b, 0);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    await hq.lags(); // discard the warm-up (first pushes, checkpoints)
    const written0 = await written();
    const t0 = performance.now();
    const ticks0 = cpuTicks(hq.proc.pid as number);
    let rss = 0;
    const sampler = setInterval(() => {
      rss = Math.max(rss, rssMb(hq.proc.pid as number));
    }, 1_000);
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    clearInterval(sampler);
    const ticks = cpuTicks(hq.proc.pid as number) - ticks0;
    const wallS = (performance.now() - t0) / 1000;
    const lags = (await hq.lags()).sort((a, b) => a - b);
    const docsWritten = (await written()) - written0;
    return {
      lag_p50_ms: pct(lags, 50),
      lag_p99_ms: pct(lags, 99),
      hq_cpu_pct: Math.round((ticks / TICK_HZ / wallS) * 1000) / 10,
      hq_rss_mb: rss,
      docs_arrived: lags.length,
      docs_written: docsWritten,
      load_1m: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
    };
  } finally {
    for (const g of groups) await g.stop();
    await hq.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, Figures> = {};
  for (const n of SIZES) {
    const f = await runSize(n);
    out[`n${n}`] = f;
    process.stdout.write(
      `hq-fanin n=${n}: lag p50 ${f.lag_p50_ms} ms, p99 ${f.lag_p99_ms} ms, HQ CPU ${f.hq_cpu_pct}% of a core, RSS ${f.hq_rss_mb} MB (${f.docs_arrived}/${f.docs_written} docs arrived in the window; load ${f.load_1m})\n`,
    );
  }
  return out;
}
