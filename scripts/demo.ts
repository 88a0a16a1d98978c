// `npm run demo` — drives synthetic customer traffic through an ALREADY RUNNING
// appliance using only its public entry points (widget WebSocket, SMTP, SIP,
// the agent API); it never starts one and needs no admin backdoor.
//
//   npm run demo -- --chats 20 --emails 10 --calls 0 --seconds 60 --rate 2
//
// Target: --url (default http://127.0.0.1:$BRANCHLINE_HTTP_PORT, 8080), SMTP on
// $BRANCHLINE_SMTP_PORT (2525) and SIP on $BRANCHLINE_SIP_PORT (5060) of the same
// host, which must be loopback or LAN. --calls N > 0 needs sipp, and the
// appliance must trust the caller: start it with BRANCHLINE_SIP_TRUNKS="demo=127.0.0.1".
// BRANCHLINE_DEMO_AGENTS="user:password,..." signs those agents in (no-MFA roles
// with a routing profile): they go available, accept offers pushed on the console
// WebSocket, reply, wrap up and close, so traffic completes end to end; without
// agents the contacts just queue. Stops at the counts or after --seconds. Progress
// lines go to stdout; the last line is JSON {demo:'done', chats, emails, calls,
// agentReplies, errors, ...}. Exit 1 only when the appliance is unreachable (2 on bad flags).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DemoAgent } from './demo/agent.ts';
import { hasSipp, prepareCallDir, sippCall } from './demo/calls.ts';
import { type ChatOutcome, runChat } from './demo/chat.ts';
import { DemoMailer } from './demo/email.ts';
import { type DemoOptions, HelpRequested, parseDemoOptions, USAGE } from './demo/options.ts';

const t0 = Date.now();
const say = (line: string) =>
  process.stdout.write(`[demo +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function reachable(o: DemoOptions): Promise<string | undefined> {
  try {
    const r = await fetch(new URL('/healthz', o.base), { signal: AbortSignal.timeout(5_000) });
    return r.ok ? undefined : `GET /healthz answered ${r.status}`;
  } catch (err) {
    return (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
  }
}

async function run(o: DemoOptions): Promise<number> {
  const baseStr = o.base.origin;
  say(
    `target ${baseStr} (smtp ${o.host}:${o.smtpPort}, sip ${o.host}:${o.sipPort}); ` +
      `${o.chats} chats, ${o.emails} emails, ${o.calls} calls, ${o.rate}/s, at most ${o.seconds}s`,
  );
  const down = await reachable(o);
  if (down) {
    process.stderr.write(
      `demo: the appliance is not reachable at ${baseStr} (${down}).\n` +
        'Start it first (npm start) or point the demo at it with --url / BRANCHLINE_HTTP_PORT.\n',
    );
    return 1;
  }
  const deadline = t0 + o.seconds * 1000;
  let errors = 0;
  const agents = o.agents.map((a) => new DemoAgent(baseStr, a, say));
  const working = (await Promise.all(agents.map((a) => a.start()))).filter(Boolean).length;
  if (o.agents.length === 0) say('no BRANCHLINE_DEMO_AGENTS: contacts will queue for real agents');

  const chats: ChatOutcome[] = [];
  let emails = 0;
  let calls = 0;
  const mailer = new DemoMailer(o.host, o.smtpPort);
  const wsUrl = `${baseStr.replace(/^http/, 'ws')}/widget/ws`;
  // Chats and emails interleaved evenly, one new contact every 1/rate seconds.
  const plan = [
    ...Array.from({ length: o.chats }, (_, i) => ({
      kind: 'chat' as const,
      n: i + 1,
      at: (i + 0.5) / o.chats,
    })),
    ...Array.from({ length: o.emails }, (_, i) => ({
      kind: 'email' as const,
      n: i + 1,
      at: (i + 0.5) / o.emails,
    })),
  ].sort((a, b) => a.at - b.at);
  const jobs: Promise<void>[] = [];
  for (const [i, item] of plan.entries()) {
    const due = t0 + (i / o.rate) * 1000;
    if (due >= deadline) {
      say(`duration reached: ${plan.length - i} contacts not started`);
      break;
    }
    await sleep(due - Date.now());
    if (item.kind === 'chat') {
      jobs.push(
        runChat(item.n, { wsUrl, expectAgent: working > 0, deadline, say }).then((c) => {
          chats.push(c);
          if (c.error) {
            errors++;
            say(`chat ${item.n}: ${c.error}`);
          }
        }),
      );
    } else {
      jobs.push(
        mailer.send(item.n).then(
          (line) => {
            emails++;
            say(line);
          },
          (err: Error) => {
            errors++;
            say(`email ${item.n} refused: ${err.message}`);
          },
        ),
      );
    }
  }
  jobs.push(
    placeCalls(o, deadline).then((r) => {
      calls = r.ok;
      errors += r.failed;
    }),
  );
  await Promise.all(jobs);
  mailer.close();

  if (working > 0) {
    // Let the agents finish what was offered: done once all have been idle a few seconds.
    while (Date.now() < deadline && agents.some((a) => a.idleMs < 3_000)) await sleep(200);
  }
  await Promise.all(
    agents.map((a) => a.close(Math.max(1_000, Math.min(5_000, deadline + 3_000 - Date.now())))),
  );
  const tally = agents.reduce(
    (s, a) => ({
      replies: s.replies + a.tally.replies,
      closed: s.closed + a.tally.closed,
      errors: s.errors + a.tally.errors,
    }),
    { replies: 0, closed: 0, errors: 0 },
  );
  const summary = {
    demo: 'done',
    chats: chats.filter((c) => c.sent).length,
    emails,
    calls,
    agentReplies: tally.replies,
    closedByAgents: tally.closed,
    csat: chats.filter((c) => c.csat !== undefined).length,
    errors: errors + tally.errors,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

async function placeCalls(o: DemoOptions, deadline: number): Promise<{ ok: number; failed: number }> {
  if (o.calls === 0) return { ok: 0, failed: 0 };
  if (!hasSipp()) {
    say(`--calls ${o.calls} skipped: sipp is not installed (apt-get install sip-tester)`);
    return { ok: 0, failed: 0 };
  }
  say('calls need the appliance started with BRANCHLINE_SIP_TRUNKS listing this host (e.g. demo=127.0.0.1)');
  const dir = mkdtempSync(path.join(tmpdir(), 'bl-demo-sipp-'));
  const holdMs = Math.max(2_000, Math.min(10_000, (deadline - Date.now()) / 2));
  prepareCallDir(dir, holdMs);
  let ok = 0;
  let failed = 0;
  const calls: Promise<void>[] = [];
  try {
    for (let i = 0; i < o.calls; i++) {
      await sleep(t0 + (i / o.rate) * 1000 - Date.now());
      if (Date.now() + holdMs >= deadline) {
        say(`duration reached: ${o.calls - i} calls not placed`);
        break;
      }
      const n = i + 1;
      say(`call ${n}: dialling ${o.host}:${o.sipPort}`);
      calls.push(
        sippCall({ host: o.host, port: o.sipPort, cwd: dir, holdMs }).then((done) => {
          if (done) ok++;
          else failed++;
          say(`call ${n}: ${done ? 'completed' : 'failed (is this address a trusted trunk?)'}`);
        }),
      );
    }
    await Promise.all(calls);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ok, failed };
}

let options: DemoOptions;
try {
  options = parseDemoOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof HelpRequested) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const code = await run(options);
// Sockets the appliance keeps half-open must not hold the process past its summary.
setTimeout(() => process.exit(code), 200).unref();
process.exitCode = code;
