// Concurrent bridged calls: sipp (UAC, rtp_stream of a μ-law WAV from one port per call) → relay →
// RTP echo agent (bench/voice-echo.ts, a Node SIP UAS in its own process that echoes every packet and
// measures what reaches it). Three relays, stepped together through the same ramp in one run:
//   baseline  — sipp straight to the echo agent (no relay): the source's own jitter at that load;
//   appliance — the VoiceStack B2BUA + media worker, recording both legs (IVR enqueues at once,
//               the bench accepts each queued call for an agent whose phone is the echo agent);
//   rtpengine — Kamailio (rtpengine_manage) + rtpengine in userspace mode (--table=-1).
// Then, as a separate figure (mediasoup_forwarding), the mediasoup engine forwarding the top step's
// number of calls between UDP phones: no SIP, recording or denoise, a baseline for the migration.
// A step passes when every sipp call completed, loss at the echo agent is ≤ 1 % and its mean
// interarrival jitter exceeds the baseline's at the same load by ≤ 20 ms. A relay stops at its
// first failing step. Steps and hold: BENCH_VOICE_STEPS (default 25,50,100,150,200), BENCH_VOICE_HOLD_S (15);
// the appliance suppresses noise on the caller leg as it ships unless BENCH_VOICE_DENOISE=off.
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../appliance/src/events/index.ts';
import { EspeakTts, PocketsphinxAsr } from '../appliance/src/flows/index.ts';
import { createLogger } from '../appliance/src/logging/index.ts';
import { MemoryDocStore, openCrypto } from '../appliance/src/storage/index.ts';
import { VoiceStack } from '../appliance/src/voice/index.ts';
import { freePort } from '../tests/support/ports.ts';
import { mediasoupForwarding } from './voice-mediasoup.ts';

const STEPS = (process.env.BENCH_VOICE_STEPS ?? '25,50,100,150,200').split(',').map(Number);
const HOLD_S = Number(process.env.BENCH_VOICE_HOLD_S ?? 15);
const RATE = Number(process.env.BENCH_VOICE_RATE ?? 100);
const MAX_LOSS = 1;
const MAX_ADDED_JITTER = 20;

interface EchoReport {
  calls: number;
  expected: number;
  received: number;
  lossPct: number;
  jitterMeanMs: number;
  jitterP95Ms: number;
}

interface Step {
  n: number;
  sippOk: boolean;
  echo: EchoReport;
  addedJitterMs: number;
  pass: boolean;
  worker?: { legs: number; lossPct: number; jitterMs: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`[voice bench] ${s}\n`);

class Echo {
  #child: ChildProcess;
  port = 0;
  constructor() {
    this.#child = fork(join(import.meta.dirname, 'voice-echo.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }
  ask<T>(msg: string): Promise<T> {
    return new Promise((resolve) => {
      this.#child.once('message', (m) => resolve(m as T));
      this.#child.send(msg);
    });
  }
  async start(): Promise<void> {
    this.port = await new Promise<number>((r) =>
      this.#child.once('message', (m) => r((m as { port: number }).port)),
    );
  }
  close(): void {
    this.#child.kill();
  }
}

async function sippStep(dir: string, target: number, n: number): Promise<boolean> {
  const args = [
    ...[`127.0.0.1:${target}`, '-sf', join(import.meta.dirname, 'voice-uac.xml'), '-i', '127.0.0.1'],
    ...['-p', String(await freePort()), '-mp', String(await freePort())],
    ...['-l', String(n), '-m', String(n), '-r', String(RATE), '-d', String(HOLD_S * 1000)],
    ...['-timeout', `${HOLD_S + 60}s`, '-timeout_error', '-nostdin', '-max_socket', '4096'],
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return code === 0;
}

async function measure(echo: Echo, run: () => Promise<boolean>): Promise<{ ok: boolean; echo: EchoReport }> {
  await echo.ask('reset');
  const ok = await run();
  await sleep(300);
  return { ok, echo: await echo.ask<EchoReport>('report') };
}

/** Installs Kamailio and rtpengine if missing; returns why they cannot run, or undefined. */
function ensureRtpengine(): string | undefined {
  const have = () => existsSync('/usr/sbin/kamailio') && existsSync('/usr/bin/rtpengine');
  if (have()) return undefined;
  try {
    log('installing kamailio + rtpengine with apt-get');
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'kamailio', 'rtpengine'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    });
  } catch (e) {
    return `apt-get install kamailio rtpengine failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  return have() ? undefined : 'kamailio or rtpengine binary missing after install';
}

function kamailioConfig(o: { sip: number; ng: number; echo: number }): string {
  return `#!KAMAILIO
debug=0
log_stderror=yes
children=2
auto_aliases=no
listen=udp:127.0.0.1:${o.sip}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:${o.ng}")
request_route {
  if (is_method("INVITE|BYE|CANCEL")) rtpengine_manage("replace-origin replace-session-connection");
  if (is_method("INVITE")) t_on_reply("ANSWER");
  $du = "sip:127.0.0.1:${o.echo}";
  if (is_method("ACK") && !t_check_trans()) { forward(); exit; }
  t_relay();
}
onreply_route[ANSWER] {
  if (has_body("application/sdp")) rtpengine_manage("replace-origin replace-session-connection");
}
`;
}

async function startRtpengine(dir: string, echoPort: number): Promise<{ sip: number; stop: () => void }> {
  const sip = await freePort();
  const ng = await freePort();
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, kamailioConfig({ sip, ng, echo: echoPort }));
  const rtpe = spawn(
    'rtpengine',
    [
      ...['--table=-1', '--interface=127.0.0.1', `--listen-ng=127.0.0.1:${ng}`, '--foreground'],
      ...['--log-stderr', '--log-level=3', '--port-min=42000', '--port-max=52000', '--num-threads=2'],
      ...['--pidfile', join(dir, 'rtpengine.pid')],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let rtpeErr = '';
  rtpe.stderr?.on('data', (d: Buffer) => {
    rtpeErr = (rtpeErr + d.toString()).slice(-2000);
  });
  const kam = spawn('kamailio', ['-f', cfg, '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let kamErr = '';
  kam.stderr?.on('data', (d: Buffer) => {
    kamErr = (kamErr + d.toString()).slice(-2000);
  });
  await sleep(1500);
  if (rtpe.exitCode !== null) throw new Error(`rtpengine exited: ${rtpeErr}`);
  if (kam.exitCode !== null) throw new Error(`kamailio exited: ${kamErr}`);
  return {
    sip,
    stop: () => {
      kam.kill('SIGTERM');
      rtpe.kill('SIGTERM');
    },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'bl-bench-voice-'));
  const echo = new Echo();
  const bus = new EventBus();
  const crypto = await openCrypto(join(dir, 'keys'));
  let stack: VoiceStack | undefined;
  let rtpengine: { sip: number; stop: () => void } | undefined;
  try {
    execFileSync('sox', [
      ...['-n', '-r', '8000', '-c', '1', '-e', 'u-law', join(dir, 'bench.wav')],
      ...['synth', String(HOLD_S + 5), 'sine', '300-1200', 'tremolo', '3', '80'],
    ]);
    await echo.start();
    let rtpReason = ensureRtpengine();
    if (!rtpReason) {
      try {
        rtpengine = await startRtpengine(dir, echo.port);
      } catch (e) {
        rtpReason = e instanceof Error ? e.message : String(e);
      }
    }
    stack = new VoiceStack({
      accountsStore: new MemoryDocStore('sip'),
      recordingsStore: new MemoryDocStore('recordings'),
      crypto,
      bus,
      logger: createLogger('voice-bench'),
      dataDir: dir,
      bind: '127.0.0.1',
      voice: {
        trustedTrunks: ['127.0.0.1'],
        allowedPrefixes: [],
        realm: 'branchline',
        // As the appliance ships (BRANCHLINE_NOISE_SUPPRESSION defaults to on).
        noiseSuppression: process.env.BENCH_VOICE_DENOISE !== 'off',
        inboundFlow: async () => ({
          id: 'bench',
          name: 'bench',
          language: 'en',
          start: 'q',
          nodes: { q: { type: 'enqueue', queue: 'bench' } },
        }),
      },
      tts: new EspeakTts(join(dir, 'prompts')),
      asr: new PocketsphinxAsr(),
      guard: { maxRequestsPerWindow: 10_000_000, maxAuthFailures: 1000 },
    });
    const sip = await stack.listen(0, '127.0.0.1');
    const svc = stack.service;
    await stack.accounts.create({ username: 'echo', password: 'bench password 1', userId: 'bench-agent' });
    stack.accounts.bind({
      username: 'echo',
      contact: `sip:echo@127.0.0.1:${echo.port}`,
      host: '127.0.0.1',
      port: echo.port,
      transport: 'udp',
      expiresAt: Date.now() + 3_600_000,
    });
    const started: number[] = [];
    const connected: number[] = [];
    bus.subscribe('call.started', () => void started.push(performance.now()));
    bus.subscribe('call.connected', () => void connected.push(performance.now()));
    bus.subscribe('call.queued', (e) => void svc.connectAgent(e.data.callId, 'bench-agent'));

    const results: Record<'baseline' | 'appliance' | 'rtpengine', Step[]> = {
      baseline: [],
      appliance: [],
      rtpengine: [],
    };
    let applianceAlive = true;
    let rtpAlive = rtpengine !== undefined;
    let cps = 0;
    for (const n of STEPS) {
      if (!applianceAlive && !rtpAlive) break;
      const base = await measure(echo, () => sippStep(dir, echo.port, n));
      results.baseline.push({ n, sippOk: base.ok, echo: base.echo, addedJitterMs: 0, pass: base.ok });
      const judge = (r: { ok: boolean; echo: EchoReport }): Step => {
        const added = Math.max(0, r.echo.jitterMeanMs - base.echo.jitterMeanMs);
        const pass = r.ok && r.echo.calls >= n && r.echo.lossPct <= MAX_LOSS && added <= MAX_ADDED_JITTER;
        return { n, sippOk: r.ok, echo: r.echo, addedJitterMs: added, pass };
      };
      if (applianceAlive) {
        started.length = 0;
        connected.length = 0;
        let worker: Step['worker'];
        const r = await measure(echo, async () => {
          const done = sippStep(dir, sip.port, n);
          // Mid-call, read the media worker's own figures for the agent legs (the echoed return path).
          await sleep((n / RATE) * 1000 + (HOLD_S * 1000) / 2);
          worker = await workerFigures(stack as VoiceStack);
          return done;
        });
        const step = { ...judge(r), ...(worker ? { worker } : {}) };
        results.appliance.push(step);
        const first = started[0];
        const last = connected[connected.length - 1];
        if (step.pass && first !== undefined && last !== undefined && last > first)
          cps = Math.max(cps, connected.length / ((last - first) / 1000));
        log(`appliance n=${n} ${JSON.stringify(step)}`);
        applianceAlive = step.pass;
      }
      if (rtpAlive && rtpengine) {
        const step = judge(await measure(echo, () => sippStep(dir, (rtpengine as { sip: number }).sip, n)));
        results.rtpengine.push(step);
        log(`rtpengine n=${n} ${JSON.stringify(step)}`);
        rtpAlive = step.pass;
      }
    }
    const best = (steps: Step[]) => steps.filter((s) => s.pass).reduce((m, s) => Math.max(m, s.n), 0);
    const maxCalls = best(results.appliance);
    const rtpMax = rtpengine ? best(results.rtpengine) : null;
    const atMax = results.appliance.find((s) => s.n === maxCalls);
    await stack.close();
    rtpengine?.stop();
    const mediasoup = await mediasoupForwarding({ calls: STEPS[STEPS.length - 1] ?? 200, seconds: HOLD_S });
    log(`mediasoup forwarding ${JSON.stringify(mediasoup)}`);
    return {
      bench: 'voice',
      max_calls: maxCalls,
      ratio_vs_rtpengine: rtpMax ? round(maxCalls / rtpMax) : null,
      rtpengine_max_calls: rtpMax,
      ...(rtpReason ? { rtpengine_unavailable: rtpReason } : {}),
      calls_per_s: round(cps, 1),
      offered_calls_per_s: RATE,
      loss_pct_at_max: atMax ? round(atMax.echo.lossPct, 3) : null,
      jitter_ms_at_max: atMax ? round(atMax.addedJitterMs) : null,
      steps_tried: STEPS,
      ramp_capped: maxCalls === STEPS[STEPS.length - 1],
      hold_s: HOLD_S,
      recording: true,
      mediasoup_forwarding: mediasoup,
      steps: {
        baseline: results.baseline.map(brief),
        appliance: results.appliance.map(brief),
        rtpengine: results.rtpengine.map(brief),
      },
    };
  } finally {
    await stack?.close();
    rtpengine?.stop();
    echo.close();
    crypto.close();
    bus.close();
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

function brief(s: Step) {
  return {
    n: s.n,
    pass: s.pass,
    sipp_ok: s.sippOk,
    calls_measured: s.echo.calls,
    loss_pct: round(s.echo.lossPct, 3),
    jitter_mean_ms: round(s.echo.jitterMeanMs),
    jitter_p95_ms: round(s.echo.jitterP95Ms),
    added_jitter_ms: round(s.addedJitterMs),
    ...(s.worker ? { worker_agent_legs: s.worker } : {}),
  };
}

async function workerFigures(stack: VoiceStack): Promise<Step['worker']> {
  let lost = 0;
  let expected = 0;
  let jitter = 0;
  let legs = 0;
  for (const call of stack.service.list()) {
    if (!call.agentLeg) continue;
    const s = await stack.worker
      .request<{ packetsIn: number; lost: number; jitterMs: number }>({
        op: 'stats',
        legId: call.agentLeg.legId,
      })
      .catch(() => undefined);
    if (!s) continue;
    legs++;
    lost += s.lost;
    expected += s.lost + s.packetsIn;
    jitter += s.jitterMs;
  }
  return {
    legs,
    lossPct: round(expected > 0 ? (lost / expected) * 100 : 0, 3),
    jitterMs: round(legs > 0 ? jitter / legs : 0),
  };
}
