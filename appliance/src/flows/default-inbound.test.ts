import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_INBOUND_FLOW } from './default-inbound.ts';
import { runFlow } from './interpreter.ts';
import type { FlowIO } from './types.ts';
import { validateFlow } from './validate.ts';

function tracingIo(trace: string[]): FlowIO {
  return {
    say: async (t) => void trace.push(`say:${t}`),
    play: async (p) => void trace.push(`play:${p}`),
    digits: async () => '',
    listen: async () => ({ text: '' }),
    pauseRecording: async () => undefined,
    resumeRecording: async () => undefined,
    voicemail: async (o) => void trace.push(`voicemail:${o.maxMs}`),
  };
}

test('the default inbound flow validates as an admin-saved flow would', () => {
  assert.deepEqual(validateFlow(structuredClone(DEFAULT_INBOUND_FLOW)), DEFAULT_INBOUND_FLOW);
});

test('the default inbound flow, open: greets and queues the caller in general', async () => {
  const trace: string[] = [];
  const out = await runFlow(DEFAULT_INBOUND_FLOW, tracingIo(trace), { isOpen: () => true });
  assert.equal(out.kind, 'enqueue');
  assert.equal(out.kind === 'enqueue' && out.queue, 'general');
  assert.match(trace[0] ?? '', /^say:Thank you for calling/);
});

test('the default inbound flow, closed: announces it, takes a voicemail, then hangs up (never queues)', async () => {
  const trace: string[] = [];
  const out = await runFlow(DEFAULT_INBOUND_FLOW, tracingIo(trace), { isOpen: () => false });
  assert.equal(out.kind, 'hangup');
  assert.match(trace[0] ?? '', /^say:We are closed now/);
  assert.equal(trace[1], 'voicemail:60000');
});
