import { spawn } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { ApiClient } from '../support/client.ts';
import { freePort } from '../support/ports.ts';
import { decodeUlawBuf, run, synthAgentSweep } from './util.ts';

export const TESTDATA = fileURLToPath(new URL('../../appliance/src/voice/testdata/', import.meta.url));

/** Press 1 for sales → queue sales; anything else hangs up. */
export const INBOUND_FLOW = {
  id: 'inbound',
  name: 'E2E IVR',
  language: 'en',
  start: 'menu',
  nodes: {
    menu: {
      type: 'menu',
      prompt: 'Press one.',
      options: { '1': 'sales' },
      default: 'bye',
      timeoutMs: 20000,
    },
    sales: { type: 'set', attributes: { dept: 'sales' }, next: 'queue' },
    queue: { type: 'enqueue', queue: 'sales' },
    bye: { type: 'hangup' },
  },
};

/** Caller speech (μ-law WAV for sipp) and an agent tone (raw μ-law), plus their decoded sources. */
export async function makeAudio(dir: string) {
  await run('espeak-ng', [
    '-v',
    'en',
    '-w',
    join(dir, 'c.wav'),
    'one two three four five six seven eight nine ten',
  ]);
  await run('sox', [join(dir, 'c.wav'), '-r', '8000', '-c', '1', '-e', 'u-law', join(dir, 'caller.wav')]);
  await synthAgentSweep(join(dir, 'agent.ul'));
  await copyFile('/usr/share/sip-tester/dtmf_2833_1.pcap', join(dir, 'dtmf.pcap'));
  const agentRaw = await readFile(join(dir, 'agent.ul'));
  return {
    agentRaw,
    callerSrc: decodeUlawBuf((await readFile(join(dir, 'caller.wav'))).subarray(58)),
    agentSrc: decodeUlawBuf(agentRaw),
  };
}

/** Like sippCall, but killable: `done` resolves with sipp's exit code. */
export async function sippSpawn(sipPort: number, dir: string, scenario: string) {
  const sippPort = await freePort();
  const mediaPort = await freePort();
  const child = spawn(
    'sipp',
    [
      ...[`127.0.0.1:${sipPort}`, '-sf', join(TESTDATA, scenario), '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(sippPort), '-mp', String(mediaPort), '-timeout', '90s', '-nostdin', '-timeout_error'],
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { done, kill: () => child.kill('SIGKILL') };
}

/** One sipp trunk call from 127.0.0.1 running `scenario` (cwd holds caller.wav and dtmf.pcap). */
export async function sippCall(sipPort: number, dir: string, scenario = 'trunk-call-dtmf.xml') {
  const sippPort = await freePort();
  const mediaPort = await freePort();
  return run(
    'sipp',
    [
      ...[`127.0.0.1:${sipPort}`, '-sf', join(TESTDATA, scenario), '-m', '1', '-i', '127.0.0.1'],
      ...['-p', String(sippPort), '-mp', String(mediaPort), '-timeout', '90s', '-nostdin', '-timeout_error'],
    ],
    { cwd: dir },
  );
}

export interface Pushed {
  type: string;
  event?: { type: string; data: Record<string, unknown> };
}

/** A console WebSocket that records every pushed event. */
export async function consoleSocket(httpPort: number, client: ApiClient) {
  const seen: Pushed[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/api/ws`, { headers: { cookie: client.cookie } });
  ws.on('message', (raw) => seen.push(JSON.parse(raw.toString()) as Pushed));
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return { seen, close: () => ws.terminate() };
}

export async function waitFor<T>(f: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Splits a 16-bit stereo WAV (44-byte header) into left and right channels. */
export function stereo(wav: Buffer): { left: Int16Array; right: Int16Array; channels: number } {
  const channels = wav.readUInt16LE(22);
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  return {
    channels,
    left: pcm.filter((_v, i) => i % 2 === 0),
    right: pcm.filter((_v, i) => i % 2 === 1),
  };
}

function expectStatus(r: { status: number; json: unknown }, status: number, what: string): void {
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
}

/** Every contact goes to one queue: the queue, (when given) the inbound IVR flow, and the default workflow. */
export async function routeAllTo(
  admin: ApiClient,
  queue: { id: string; name: string },
  flow?: Record<string, unknown>,
): Promise<void> {
  expectStatus(
    await admin.request('PUT', `/api/routing/queues/${queue.id}`, { name: queue.name }),
    204,
    'queue',
  );
  // After the queue: a flow naming a queue routing does not have is refused (FLOWS_UNKNOWN_QUEUE).
  if (flow) expectStatus(await admin.request('PUT', '/api/flows/inbound', { flow }), 200, 'inbound flow');
  expectStatus(
    await admin.request('PUT', '/api/routing/workflows/main', {
      name: 'Main',
      isDefault: true,
      filters: [],
      defaultTarget: { queue: queue.id },
    }),
    204,
    'default workflow',
  );
}

/** A routing profile: English, one call at a time (plus `extra` channel capacity). */
export async function voiceAgentProfile(
  admin: ApiClient,
  userId: string,
  extra: Record<string, number> = {},
): Promise<void> {
  expectStatus(
    await admin.request('PUT', `/api/routing/agents/${userId}`, {
      skills: {},
      languages: ['en'],
      capacity: { ...extra, voice: 1 },
      totalCapacity: 1,
    }),
    204,
    'agent profile',
  );
}
