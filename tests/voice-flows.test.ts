import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type FlowDefinition,
  type FlowIO,
  FlowsError,
  PocketsphinxAsr,
  runFlow,
  validateFlow,
} from '../appliance/src/flows/index.ts';

const FLOW: FlowDefinition = {
  id: 'speech',
  name: 'Speech IVR',
  language: 'en',
  start: 'ask',
  intents: {
    cancel: ['i want to cancel my order', 'cancel my order'],
    status: ['where is my order', 'order status'],
    agent: ['i want to talk to an agent', 'agent'],
  },
  nodes: {
    ask: {
      type: 'listen',
      prompt: 'How can I help?',
      intents: ['cancel', 'status', 'agent'],
      next: { cancel: 'c', status: 's', agent: 'a' },
      fallback: 'f',
    },
    c: { type: 'enqueue', queue: 'cancellations' },
    s: { type: 'enqueue', queue: 'status' },
    a: { type: 'enqueue', queue: 'general' },
    f: { type: 'enqueue', queue: 'fallback' },
  },
};

const sh = (cmd: string, args: string[]) =>
  new Promise<void>((res, rej) => execFile(cmd, args, { timeout: 30_000 }, (e) => (e ? rej(e) : res())));

async function speak(dir: string, text: string): Promise<Buffer> {
  const wav = join(dir, `${text.length}.wav`);
  await sh('espeak-ng', ['-v', 'en', '-w', wav, text]);
  await sh('sox', [
    wav,
    '-r',
    '16000',
    '-b',
    '16',
    '-c',
    '1',
    '-e',
    'signed-integer',
    '-t',
    'raw',
    `${wav}.raw`,
  ]);
  return readFile(`${wav}.raw`);
}

function ioHearing(pcm: Buffer, trace: string[]): FlowIO {
  const asr = new PocketsphinxAsr();
  return {
    say: async (t) => void trace.push(`say:${t}`),
    play: async () => undefined,
    digits: async () => '',
    listen: (o) => asr.recognize(pcm, o),
    pauseRecording: async (r) => void trace.push(`pause:${r}`),
    resumeRecording: async (r) => void trace.push(`resume:${r}`),
    voicemail: async () => undefined,
  };
}

test('spoken "I want to cancel my order" (espeak-ng, 16 kHz, fed to the ASR port) takes the cancel branch; out-of-grammar speech takes the fallback', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-flows-'));
  try {
    const cancel = await runFlow(
      validateFlow(FLOW),
      ioHearing(await speak(dir, 'I want to cancel my order'), []),
    );
    assert.equal(cancel.kind === 'enqueue' && cancel.queue, 'cancellations');
    assert.equal(cancel.attributes.intent, 'cancel');
    const other = await runFlow(
      FLOW,
      ioHearing(await speak(dir, 'the weather is lovely in the mountains today'), []),
    );
    assert.equal(other.kind === 'enqueue' && other.queue, 'fallback');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('validateFlow() rejects a dangling reference with FLOWS_INVALID naming the node', () => {
  const bad = structuredClone(FLOW);
  bad.nodes.ask = { type: 'listen', intents: ['cancel'], next: { cancel: 'nowhere' }, fallback: 'f' };
  assert.throws(
    () => validateFlow(bad),
    (e: unknown) => e instanceof FlowsError && e.code === 'FLOWS_INVALID' && e.details?.node === 'ask',
  );
  const unknownIntent = structuredClone(FLOW);
  unknownIntent.nodes.ask = { type: 'listen', intents: ['refund'], next: {}, fallback: 'f' };
  assert.throws(
    () => validateFlow(unknownIntent),
    (e: unknown) => e instanceof FlowsError && e.details?.node === 'ask',
  );
});

test('a PCI collect step pauses recording around the digits and resumes only after the step', async () => {
  const trace: string[] = [];
  const flow: FlowDefinition = {
    id: 'pci',
    name: 'Card',
    language: 'en',
    start: 'card',
    nodes: {
      card: { type: 'collect', prompt: 'Card number', variable: 'card', maxDigits: 16, pci: true, next: 'q' },
      q: { type: 'enqueue', queue: 'payments' },
    },
  };
  const io = ioHearing(Buffer.alloc(0), trace);
  io.digits = async () => {
    trace.push('digits');
    return '4111111111111111';
  };
  await runFlow(validateFlow(flow), io);
  assert.deepEqual(trace, ['pause:pci:card', 'say:Card number', 'digits', 'resume:pci:card']);
});
