// Durable writes through the API (issue 16): 8 signed-in clients (one session each) create
// customers and tickets over real HTTP on 127.0.0.1 against a real appliance for a fixed time;
// only 2xx answers count. Baseline in the same run: the durable encrypted store alone writing the
// same number of docs with the same concurrency (as bench/store.ts does). Then the appliance is
// restarted under --cpu-prof for a shorter run and the profile's self time inside that run is
// summarised per module group (breakdown_ms: CPU ms per API write) and per function (top).
// BENCH_SECONDS (default 20), BENCH_PROFILE_SECONDS (default 8), BENCH_CLIENTS (default 8),
// BENCH_NODE_ARGS (extra node flags for the appliance).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedDocStore, openCrypto, openPouchStore } from '../appliance/src/storage/index.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from '../tests/support/appliance.ts';
import { bootstrapAdmin } from '../tests/support/bootstrap.ts';
import { ApiClient } from '../tests/support/client.ts';
import { summarise } from './cpu-profile.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
/** Extra node flags for the appliance (e.g. `--import ./probe.mjs`), before the profiler's. */
const NODE_ARGS = process.env.BENCH_NODE_ARGS ?? '';
const PASSWORD = 'bench writer password 42!';
const ROLE = 'bench_writer';

/** CPU time (user + system, all threads) the process has used so far, in ms (Linux /proc). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round1 = (n: number) => Math.round(n * 10) / 10;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** A valid PRC ID-card number (GB 11643 check digit) with sequence `seq` (0–999). */
function idCard(seq: number): string {
  const body = `11010519900307${String(seq).padStart(3, '0')}`;
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (W[i] ?? 0), 0);
  return body + '10X98765432'.charAt(sum % 11);
}

function check(r: { status: number; json: unknown }, what: string): void {
  if (r.status < 200 || r.status >= 300)
    throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
}

async function signIn(base: string, username: string): Promise<ApiClient> {
  const c = new ApiClient(base);
  check(await c.login(username, PASSWORD), `${username} login`);
  return c;
}

/** Admin → a custom role with customer and ticket writes (no MFA) → CLIENTS users with passwords. */
async function setUp(app: RunningAppliance): Promise<string[]> {
  const { admin } = await bootstrapAdmin(app);
  check(
    await admin.request('POST', '/api/roles', {
      id: ROLE,
      description: 'api-writes bench',
      permissions: ['customers.read', 'customers.write', 'tickets.read', 'tickets.write'],
    }),
    'create role',
  );
  const names = Array.from({ length: CLIENTS }, (_, i) => `bench${i}`);
  for (const username of names) {
    const created = await admin.request('POST', '/api/users', {
      username,
      displayName: username,
      roles: [ROLE],
    });
    check(created, `create ${username}`);
    const first = new ApiClient(app.base);
    check(await first.login(username, created.json['oneTimePassword'] as string), `${username} first login`);
    check(
      await first.request('POST', '/api/auth/password', {
        currentPassword: created.json['oneTimePassword'],
        newPassword: PASSWORD,
      }),
      `${username} password`,
    );
  }
  return names;
}

interface Load {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  ms: number[];
  seconds: number;
  fromUs: number;
  toUs: number;
}

let phoneSeq = 0;

/** Each client loops: create a customer, then a ticket for that customer; counts 2xx only. */
async function load(clients: ApiClient[], seconds: number, tag: string): Promise<Load> {
  const out: Load = { ok: 0, failed: 0, statuses: {}, ms: [], seconds: 0, fromUs: nowUs(), toUs: 0 };
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client, k) => {
      for (let i = 0; performance.now() < end; i++) {
        const n = `${tag}-${k}-${i}`;
        let t = performance.now();
        const cust = await client.request('POST', '/api/customers', {
          name: `Customer ${n}`,
          phone: `+86139${String(phoneSeq++).padStart(8, '0')}`,
          idCard: idCard(i % 1000),
        });
        const write = (status: number) => {
          out.statuses[status] = (out.statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) {
            out.ok++;
            out.ms.push(performance.now() - t);
          } else out.failed++;
        };
        write(cust.status);
        t = performance.now();
        const ticket = await client.request('POST', '/api/tickets', {
          subject: `Card stuck in ATM ${n}`,
          description: 'The ATM at the branch kept the card.',
          ...(cust.status === 201 ? { customerId: cust.json['id'] } : {}),
        });
        write(ticket.status);
      }
    }),
  );
  out.seconds = (performance.now() - started) / 1000;
  out.toUs = nowUs();
  out.ms.sort((a, b) => a - b);
  return out;
}

/** The durable encrypted store alone: `count` single-doc puts, CLIENTS in flight. */
async function storeBaseline(count: number): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'branchline-bench-api-store-'));
  try {
    const crypto = await openCrypto(join(root, 'data'));
    const store = new EncryptedDocStore(await openPouchStore(join(root, 'db'), 'bench'), {
      crypto,
      fields: ['name', 'phone', 'idCard'],
    });
    const doc = (p: string, i: number) => ({
      _id: `${p}:${String(i).padStart(7, '0')}`,
      name: `Customer ${i}`,
      phone: `139000${i}`,
      idCard: `1101051990030${i}`,
      tier: 'gold',
      createdAt: '2025-01-01T00:00:00Z',
    });
    const rate = async (p: string, n: number) => {
      let next = 0;
      const t = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < n) await store.put(doc(p, next++));
        }),
      );
      return n / ((performance.now() - t) / 1000);
    };
    await rate('warm', 200);
    const r = await rate('a', count);
    await store.close();
    crypto.close();
    return Math.round(r);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const tmp = await tempDataDir('branchline-bench-api-writes-');
  const profDir = mkdtempSync(join(tmpdir(), 'branchline-bench-api-prof-'));
  try {
    const plain = NODE_ARGS ? { wrap: ['sh', '-c', `exec "$0" ${NODE_ARGS} "$@"`] } : {};
    let app = await startAppliance(tmp.dir, { timeoutMs: 120_000, ...plain });
    let names: string[];
    let measured: Load;
    let applianceCpuMs = Number.NaN;
    try {
      names = await setUp(app);
      const clients = await Promise.all(names.map((n) => signIn(app.base, n)));
      await load(clients, 2, 'warm');
      const cpu0 = cpuMs(app.proc.pid);
      measured = await load(clients, SECONDS, 'run');
      applianceCpuMs = cpuMs(app.proc.pid) - cpu0;
    } finally {
      await app.stop();
    }
    const writesPerS = measured.ok / measured.seconds;
    process.stderr.write(
      `api-writes: ${measured.ok} ok, ${measured.failed} failed ${JSON.stringify(measured.statuses)} in ${round1(measured.seconds)} s\n`,
    );
    const storeRate = await storeBaseline(Math.max(measured.ok, 500));

    // Profiled run: same data, same clients (fresh sessions), appliance under --cpu-prof.
    const wrap = ['sh', '-c', `exec "$0" ${NODE_ARGS} --cpu-prof --cpu-prof-dir=${profDir} "$@"`];
    app = await startAppliance(tmp.dir, { timeoutMs: 120_000, wrap });
    let profiled: Load;
    try {
      const clients = await Promise.all(names.map((n) => signIn(app.base, n)));
      await load(clients, 1, 'pwarm');
      profiled = await load(clients, PROFILE_SECONDS, 'prof');
    } finally {
      await app.stop();
    }
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the appliance wrote no CPU profile');
    const summary = summarise(join(profDir, file), { fromUs: profiled.fromUs, toUs: profiled.toUs });
    const breakdown: Record<string, number> = {};
    for (const [g, ms] of Object.entries(summary.groupsMs))
      breakdown[g] = round1(ms / Math.max(1, profiled.ok));
    process.stderr.write(
      `profile (${profiled.ok} writes, ${round1(summary.busyMs)} ms busy, self time):\n${summary.top
        .map((f) => `  ${String(f.selfPct).padStart(5)} %  ${f.fn}`)
        .join('\n')}\n`,
    );
    return {
      clients: CLIENTS,
      seconds: round1(measured.seconds),
      writes: measured.ok,
      failed: measured.failed,
      writes_per_s: round1(writesPerS),
      store_docs_per_s: storeRate,
      ratio: Math.round((writesPerS / storeRate) * 1000) / 1000,
      // CPU the appliance process used (all threads, from /proc) per acknowledged write in the
      // measured run: unlike writes/s, it does not depend on how busy the shared machine is.
      appliance_cpu_ms_per_write: round1(applianceCpuMs / Math.max(1, measured.ok)),
      appliance_cpu_pct: Math.round(applianceCpuMs / measured.seconds / 10),
      profile_busy_ms_per_write: round1(summary.busyMs / Math.max(1, profiled.ok)),
      breakdown_ms: breakdown,
      top_self_pct: summary.top.slice(0, 8).map((f) => `${f.selfPct}% ${f.fn}`),
      p50_ms: round1(pct(measured.ms, 0.5)),
      p99_ms: round1(pct(measured.ms, 0.99)),
    };
  } finally {
    await tmp.cleanup();
    rmSync(profDir, { recursive: true, force: true });
  }
}
