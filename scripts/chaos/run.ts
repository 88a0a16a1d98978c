// The chaos run: one appliance, every scenario at once, kill -9 at random
// moments (restarted on the same ports, as systemd would), then the checks.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { until } from '../../tests/support/until.ts';
import { apiWriter } from './api-writes.ts';
import { ChaosAppliance, ROOT } from './appliance.ts';
import { type ChaosContext, sleep } from './context.ts';
import { Ledger } from './ledger.ts';
import { mailRound } from './mail.ts';
import { setUp } from './setup.ts';
import { type Verdict, verify } from './verify.ts';
import { earlyHangupCall, prepareAudio, registerFloodDuringCall, ssrcCall } from './voice.ts';
import { webchatVisitor } from './webchat.ts';
import { wechatConversation, wechatForgeries } from './wechat.ts';

export interface ChaosOptions {
  /** Multiplies every scenario's count (1 = a quick bounded run). */
  scale: number;
  /** How many times the appliance is killed with SIGKILL during the storm. */
  kills: number;
  /** Include the 12 MB PDF mail. */
  bigPdf: boolean;
  log: (line: string) => void;
}

export interface ChaosSummary {
  scenarios: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  unexpected_exits: number;
  kills: number;
  audit_ok: boolean;
  seconds: number;
  restart_ms: number[];
  by_scenario: Record<string, { runs: number; acked: number; failed: number }>;
  problems: Array<{ scenario: string; what: string }>;
  notes: string[];
  lost_items: Verdict['lost'];
  duplicated_items: Verdict['duplicated'];
  exits: Array<{ generation: number; code: number | null; signal: string | null; stderrTail: string }>;
  audit: string;
}

const run = promisify(execFile);

/** `count` runs of `one`, spread over `spreadMs` so they straddle the kills. */
async function spread(count: number, spreadMs: number, one: (i: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep(Math.random() * spreadMs);
      await one(i);
    }),
  );
}

export async function runChaos(o: ChaosOptions): Promise<ChaosSummary> {
  const t0 = Date.now();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bl-chaos-'));
  const workDir = await mkdtemp(path.join(tmpdir(), 'bl-chaos-work-'));
  const app = await ChaosAppliance.create(dataDir, { BRANCHLINE_SIP_TRUNKS: 'chaos=127.0.0.1' });
  const ledger = new Ledger();
  const restarts: number[] = [];
  let supervising = true;
  try {
    await app.start();
    const session = await setUp(app);
    await prepareAudio(workDir);
    o.log(
      `appliance up on :${app.ports.http} (SMTP :${app.ports.smtp}, SIP :${app.ports.sip}); storm starts`,
    );

    // A supervisor restarts an appliance that died on its own (counted as an unexpected exit).
    const supervisor = (async () => {
      while (supervising) {
        if (!app.up) await app.ensureUp().catch((e) => o.log(`restart failed: ${(e as Error).message}`));
        await sleep(200);
      }
    })();

    const stormMs = 6_000 + 4_000 * o.kills;
    const ctx: ChaosContext = { app, ledger, session, workDir, retryUntil: t0 + 1e9 };
    const stormEnd = Date.now() + stormMs;
    ctx.retryUntil = stormEnd + 45_000;
    const s = o.scale;
    let killsDone = false;
    const going = () => !killsDone || Date.now() < stormEnd;
    const killing = (async () => {
      for (let i = 0; i < o.kills; i++) {
        await sleep(1_500 + Math.random() * 3_000);
        await app.kill9();
        const k0 = Date.now();
        await app.ensureUp();
        restarts.push(Date.now() - k0);
        o.log(`kill ${i + 1}/${o.kills}: restarted in ${Date.now() - k0} ms`);
      }
      await sleep(1_000);
      killsDone = true;
    })();
    await Promise.all([
      killing,
      apiWriter(ctx, going),
      apiWriter(ctx, going),
      spread(2 * s, stormMs, () => wechatConversation(ctx, 'wechat')),
      spread(2 * s, stormMs, () => wechatConversation(ctx, 'wecom')),
      spread(s, stormMs, () => wechatForgeries(ctx)),
      spread(2 * s, stormMs, () => webchatVisitor(ctx)),
      spread(s, stormMs, (i) => mailRound(ctx, { bigPdf: o.bigPdf && i === 0 })),
      spread(s, stormMs, () => ssrcCall(ctx)),
      spread(s, stormMs, () => earlyHangupCall(ctx)),
      spread(1, stormMs / 2, () => registerFloodDuringCall(ctx)),
    ]);
    o.log(`storm over after ${((Date.now() - t0) / 1000).toFixed(1)} s; checking`);
    await app.ensureUp();
    await session.login();

    // Acknowledged WeChat messages sit in a durable inbox until ingested: give it time to settle.
    let verdict: Verdict | undefined;
    await until(
      'every acknowledged item to be found',
      async () => {
        verdict = await verify(session, ledger);
        return verdict.lost.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, everyMs: 1_000 },
    ).catch(() => undefined);
    const final = verdict ?? (await verify(session, ledger));
    supervising = false;
    await supervisor;
    const code = await app.stop();
    if (code !== 0) ledger.problem('shutdown', `graceful stop exited ${code}`);
    const audit = await run(process.execPath, ['bin/branchline.mjs', 'audit', 'verify', '--json'], {
      cwd: ROOT,
      env: { ...process.env, BRANCHLINE_DATA_DIR: dataDir },
    }).then(
      (r) => r.stdout,
      (e: Error & { stdout?: string }) => e.stdout || e.message,
    );
    let auditOk = false;
    try {
      auditOk = (JSON.parse(audit) as { ok?: boolean }).ok === true;
    } catch {
      auditOk = false;
    }
    return {
      scenarios: ledger.runs,
      acknowledged: ledger.acked.filter((a) => !a.optional).length,
      lost: final.lost.length,
      duplicated: final.duplicated.length,
      unexpected_exits: app.unexpectedExits.length,
      kills: app.kills,
      audit_ok: auditOk,
      seconds: Math.round((Date.now() - t0) / 1000),
      restart_ms: restarts,
      by_scenario: Object.fromEntries(ledger.scenarios),
      problems: ledger.problems,
      notes: ledger.notes,
      lost_items: final.lost.slice(0, 20),
      duplicated_items: final.duplicated.slice(0, 20),
      exits: app.unexpectedExits.map((e) => ({ ...e, stderrTail: e.stderrTail.slice(-800) })),
      audit: audit.slice(0, 500),
    };
  } finally {
    supervising = false;
    await app.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}
