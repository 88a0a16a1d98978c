// Calls with real sipp from the trusted trunk address, and a REGISTER flood
// from another loopback address while a trunk call connects.
// Acknowledged call = sipp completed it (200 to the INVITE, BYE answered):
// a voice contact for that caller number must then exist exactly once.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../tests/support/ports.ts';
import { until } from '../../tests/support/until.ts';
import { run } from '../../tests/voice-support/util.ts';
import type { ChaosContext } from './context.ts';
import { earlyHangup, ssrcSwitchCall } from './sipp-scenarios.ts';

const PCAPS = '/usr/share/sip-tester';
let callerSeq = Math.floor(Math.random() * 90_000);

/** A fresh mainland mobile per call (E.164): the caller-ID is how the call's contact is found. */
export function nextCaller(): string {
  callerSeq++;
  return `+8613${String(700_000_000 + callerSeq * 7).padStart(9, '0')}`;
}

export async function prepareAudio(workDir: string): Promise<void> {
  await run('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    path.join(workDir, 'caller.wav'),
    'synth',
    '2',
    'sine',
    '440',
  ]);
}

/** Runs one sipp call; resolves with its exit code (0 = completed). */
async function sipp(
  ctx: ChaosContext,
  name: string,
  xml: string,
  timeoutS = 30,
): Promise<{ code: number | null; why: string }> {
  const file = path.join(ctx.workDir, `${name}.xml`);
  await writeFile(file, xml);
  const errors = path.join(ctx.workDir, `${name}.errors.log`);
  const child = spawn(
    'sipp',
    [
      ...[`127.0.0.1:${ctx.app.ports.sip}`, '-sf', file, '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(await freePort()), '-mp', String(await freePort())],
      ...['-timeout', `${timeoutS}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', errors],
    ],
    { cwd: ctx.workDir, stdio: 'ignore' },
  );
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const why = code === 0 ? '' : await readFile(errors, 'utf8').catch(() => '');
  return { code, why: why.replace(/\s+/g, ' ').slice(-240) };
}

/**
 * One caller: dials (a fresh number each time) until a call completes; a call a
 * kill cut short is redialled, a call that failed with no kill in it is a problem.
 * `mustQueue` false: the caller hangs up at once, so a contact is optional.
 */
async function caller(
  ctx: ChaosContext,
  scenario: string,
  build: (from: string) => string,
  o: { mustQueue: boolean; during?: () => Promise<unknown> },
): Promise<void> {
  ctx.ledger.ran(scenario);
  for (;;) {
    await until('the appliance to be ready', () => (ctx.app.ready ? true : undefined), {
      timeoutMs: 120_000,
    });
    const from = nextCaller();
    const gen = ctx.app.generation;
    const [{ code, why }] = await Promise.all([
      sipp(ctx, `${scenario}-${from.slice(1)}`, build(from)),
      o.during?.(),
    ]);
    const ok = code === 0;
    ctx.ledger.ack({
      kind: 'call',
      key: from,
      channel: 'voice',
      scenario,
      ...(ok && o.mustQueue ? {} : { optional: true }),
    });
    if (ok) return;
    if (ctx.app.ready && ctx.app.generation === gen) {
      ctx.ledger.problem(scenario, `sipp exited ${code} with no kill during the call: ${why}`);
      return;
    }
    if (Date.now() > ctx.retryUntil) return;
  }
}

export const ssrcCall = (ctx: ChaosContext) =>
  caller(ctx, 'sip-ssrc-switch', (from) => ssrcSwitchCall(from, PCAPS), { mustQueue: true });

export const earlyHangupCall = (ctx: ChaosContext) =>
  caller(ctx, 'sip-early-hangup', (from) => earlyHangup(from), { mustQueue: false });

/** Unauthenticated REGISTERs from 127.0.0.2 as fast as UDP goes; resolves with how many were answered. */
async function flood(ctx: ChaosContext, registers: number): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.2', r));
  let answers = 0;
  sock.on('message', () => answers++);
  const port = sock.address().port;
  for (let i = 0; i < registers; i++) {
    const msg = [
      'REGISTER sip:127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.2:${port};branch=z9hG4bKflood${i}`,
      'Max-Forwards: 70',
      `From: <sip:flood${i % 50}@127.0.0.1>;tag=f${i}`,
      `To: <sip:flood${i % 50}@127.0.0.1>`,
      `Call-ID: flood-${i}@127.0.0.2`,
      `CSeq: ${i + 1} REGISTER`,
      `Contact: <sip:flood@127.0.0.2:${port}>`,
      'Expires: 3600',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    sock.send(msg, ctx.app.ports.sip, '127.0.0.1');
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  // Late answers still count; the socket closes when the call is over.
  await new Promise((r) => setTimeout(r, 2_000));
  sock.close();
  return answers;
}

/** A REGISTER flood from one address while a trunk call from the trusted address connects. */
export async function registerFloodDuringCall(ctx: ChaosContext, registers = 2_000): Promise<void> {
  const scenario = 'sip-register-flood';
  let answers = 0;
  await caller(ctx, scenario, (from) => ssrcSwitchCall(from, PCAPS), {
    mustQueue: true,
    during: async () => {
      answers += await flood(ctx, registers);
    },
  });
  ctx.ledger.notes.push(`${scenario}: ${answers} answers to ${registers} REGISTERs from 127.0.0.2`);
}
