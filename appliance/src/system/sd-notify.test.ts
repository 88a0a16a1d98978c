import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setLogSink } from '../logging/index.ts';
import { notify } from './index.ts';

// Node cannot bind unix datagram sockets, so a tiny python3 receiver (on every machine
// of this project's kind) stands in for systemd's notify socket.
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = sys.argv[1]
s.bind('\\0' + addr[1:] if addr.startswith('@') else addr)
print('bound', flush=True)
s.settimeout(10)
data = s.recv(4096)
print(data.decode(), flush=True)
# systemd-notify (>= 246) then sends BARRIER=1 with an fd and waits for it to close.
# Read it like the manager would (no ancillary buffer: the kernel closes the fd);
# exiting first would refuse that datagram and fail the sender under load.
s.settimeout(5)
try:
    while b'BARRIER=1' not in s.recv(4096):
        pass
except socket.timeout:
    pass
`;

async function receive(addr: string, send: () => Promise<boolean>): Promise<{ sent: boolean; got: string }> {
  const py = spawn('python3', ['-c', RECEIVER, addr], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Listen for exit before sending: the receiver can exit before send() resolves.
  const exited = once(py, 'exit');
  let out = '';
  py.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  while (!out.includes('bound')) await once(py.stdout, 'data');
  const sent = await send();
  await exited;
  return { sent, got: out.replace('bound\n', '').trim() };
}

test('notify() delivers READY=1 and STATUS to a path socket through systemd-notify', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-notify-'));
  try {
    const sock = path.join(dir, 'notify.sock');
    const r = await receive(sock, () => notify('READY=1\nSTATUS=serving', { socket: sock }));
    assert.equal(r.sent, true);
    assert.match(r.got, /READY=1/);
    assert.match(r.got, /STATUS=serving/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('notify() supports an abstract-namespace socket written as @name', async () => {
  const addr = `@branchline-test-${process.pid}-${Date.now()}`;
  const r = await receive(addr, () => notify('WATCHDOG=1', { socket: addr }));
  assert.equal(r.sent, true);
  assert.match(r.got, /WATCHDOG=1/);
});

test('notify() is a no-op returning false outside systemd or when the helper is missing', async () => {
  setLogSink(() => {});
  assert.equal(await notify('READY=1', { socket: undefined }), false);
  assert.equal(await notify('READY=1', { socket: '@x', command: '/nonexistent/systemd-notify' }), false);
  await assert.rejects(notify('READY=1\nrm -rf /', { socket: '@x' }), TypeError);
});
