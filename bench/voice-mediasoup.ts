// mediasoup forwarding baseline for the media migration (issue 18): N calls, each two UDP
// "phones" bridged through two PlainTransports of the real worker, PCMU at 50 packets/s each
// way. Forwarding only — no recording, no noise suppression, no SIP — so it is a floor for
// the engine, not a figure comparable with the appliance's recorded calls. CPU is the worker
// process's own (utime+stime from /proc) over the measured window, in % of one core.
// `npm run bench -- voice-mediasoup`; BENCH_MS_CALLS (default 200), BENCH_MS_SECONDS (20).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLogger } from '../appliance/src/logging/index.ts';
import { type MediasoupCall, MediasoupEngine } from '../appliance/src/voice/index.ts';
import { resolveWorkerBin } from '../appliance/src/voice/media/mediasoup-worker-bin.ts';
import { UdpPhone } from '../tests/support/udp-phone.ts';

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`[voice-mediasoup bench] ${s}\n`);

function cpuTicks(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

export async function mediasoupForwarding(
  o: { calls?: number; seconds?: number } = {},
): Promise<Record<string, unknown>> {
  const calls = o.calls ?? Number(process.env.BENCH_MS_CALLS ?? 200);
  const seconds = o.seconds ?? Number(process.env.BENCH_MS_SECONDS ?? 20);
  const workerBin = await resolveWorkerBin({
    explicit: process.env.MEDIASOUP_WORKER_BIN || undefined,
    cacheDir: process.env.BRANCHLINE_CACHE_DIR || '/var/cache/branchline',
  }).catch((e: Error) => e);
  if (workerBin instanceof Error) return { unavailable: workerBin.message };
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const engine = await MediasoupEngine.start({
    workerBin,
    logger: createLogger('voice-mediasoup-bench'),
    rtcMinPort: 40_000,
    rtcMaxPort: 49_999,
  });
  const pairs: Array<[UdpPhone, UdpPhone]> = [];
  const callList: MediasoupCall[] = [];
  /** What the worker itself received from the phones and sent on to the other leg. */
  const workerCounts = async () => {
    let inbound = 0;
    let outbound = 0;
    for (const c of callList) {
      for (const leg of ['a', 'b']) {
        inbound += await c.received(leg);
        outbound += await c.sent(leg);
      }
    }
    return { inbound, outbound };
  };
  try {
    for (let i = 0; i < calls; i++) {
      const a = await UdpPhone.open();
      const b = await UdpPhone.open();
      pairs.push([a, b]);
      const call = await engine.openCall(`bench-${i}`);
      callList.push(call);
      const la = await call.openPlainLeg({
        legId: 'a',
        codec: 'pcmu',
        bind: '127.0.0.1',
        remote: a.address,
        ssrc: a.ssrc,
      });
      const lb = await call.openPlainLeg({
        legId: 'b',
        codec: 'pcmu',
        bind: '127.0.0.1',
        remote: b.address,
        ssrc: b.ssrc,
      });
      await call.bridge('a', 'b');
      a.target = la.local;
      b.target = lb.local;
    }
    log(`${calls} bridged calls open on worker pid ${engine.pid}; sending for ${seconds} s`);
    const phones = pairs.flat();
    const tick = () => {
      for (const p of phones) void p.sendAudio(1);
    };
    // 20 ms pacing, corrected against the clock so a slow tick does not lower the rate.
    const t0 = performance.now();
    let sentTicks = 0;
    let cpu0 = 0;
    let wall0 = 0;
    let received0 = 0;
    let worker0 = { inbound: 0, outbound: 0 };
    const warmupTicks = 100; // 2 s
    const totalTicks = warmupTicks + seconds * 50;
    while (sentTicks < totalTicks) {
      const due = Math.floor((performance.now() - t0) / 20);
      while (sentTicks <= due && sentTicks < totalTicks) {
        tick();
        sentTicks++;
        if (sentTicks === warmupTicks) {
          worker0 = await workerCounts();
          cpu0 = cpuTicks(engine.pid);
          wall0 = performance.now();
          received0 = phones.reduce((n, p) => n + p.received.length, 0);
        }
      }
      await sleep(5);
    }
    await sleep(200); // the last packets in flight
    const cpuS = (cpuTicks(engine.pid) - cpu0) / hz;
    const wallS = (performance.now() - wall0) / 1000;
    const worker1 = await workerCounts();
    const workerOut = worker1.outbound - worker0.outbound;
    const received = phones.reduce((n, p) => n + p.received.length, 0) - received0;
    const expected = calls * 2 * seconds * 50;
    return {
      what: 'mediasoup 3.19.3 forwarding only (PlainTransport pairs, PCMU 50 pps each way, no recording/denoise/SIP)',
      calls,
      seconds,
      packets_forwarded: received,
      packets_expected: expected,
      loss_pct: round(Math.max(0, (1 - received / expected) * 100), 3),
      worker_packets_in: worker1.inbound - worker0.inbound,
      worker_packets_out: workerOut,
      worker_cpu_pct_of_one_core: round((cpuS / wallS) * 100, 1),
      worker_cpu_us_per_packet: workerOut > 0 ? round((cpuS / workerOut) * 1e6, 2) : null,
      note: 'phones, pacing and receive run in this one Node process: on a loaded machine it cannot keep 20k pps each way, so loss here is the sender/receiver, compare worker_packets_* with packets_expected',
    };
  } finally {
    for (const [a, b] of pairs) {
      a.close();
      b.close();
    }
    await engine.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  return { mediasoup_forwarding: await mediasoupForwarding() };
}
