import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { type AuditLog, createAuditLog, ephemeralSigner } from '../audit/index.ts';
import type { SiemConfig } from '../config/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { CursorStore } from './cursor-store.ts';
import { SiemForwarder } from './forwarder.ts';

/** A TCP collector that splits octet-counted frames and keeps each message's seq. */
function collector(): Promise<{ server: Server; port: number; seqs: number[]; sockets: Set<Socket> }> {
  const seqs: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) return;
        const len = Number(buf.subarray(0, sp).toString());
        if (buf.length < sp + 1 + len) return;
        const msg = buf.subarray(sp + 1, sp + 1 + len).toString();
        buf = buf.subarray(sp + 1 + len);
        seqs.push(Number(/ seq="(\d+)"/.exec(msg)?.[1]));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ server, port, seqs, sockets });
    }),
  );
}

/** Polls (a loaded CI machine can take seconds to reconnect after a drop; this checks order, not speed). */
async function until(what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function memoryAudit(): Promise<{ audit: AuditLog }> {
  const audit = await createAuditLog(new MemoryDocStore('audit'), {
    signer: await ephemeralSigner(),
    checkpointIntervalMs: 0,
  });
  return { audit };
}

const closers: Array<() => unknown> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

function forwarder(audit: AuditLog, store: MemoryDocStore, config: SiemConfig, alarms: string[] = []) {
  const f = new SiemForwarder({
    config,
    source: {
      lastSeq: () => audit.lastSeq,
      after: async (seq, limit) => (await audit.search({ after: seq, limit })).records,
    },
    cursor: new CursorStore(store, 'tcp://127.0.0.1'),
    syslog: { hostname: 'test', branchId: 'B01' },
    alarm: (a) => void alarms.push(a.alarm),
  });
  closers.push(() => f.close());
  return f;
}

const append = (audit: AuditLog, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      audit.append({ actor: 'u1', action: 'test.done', outcome: 'success', target: `t:${i}` }),
    ),
  );

test('the forwarder resumes exactly after the saved cursor: a dropped connection and a new forwarder send no record twice', async () => {
  const c = await collector();
  closers.push(() => c.server.close());
  const { audit } = await memoryAudit();
  const store = new MemoryDocStore('siem');
  const config: SiemConfig = {
    transport: 'tcp',
    host: '127.0.0.1',
    port: c.port,
    caFile: undefined,
    backlogAlarm: 1000,
    alarmAfterSeconds: 60,
    maxRate: 10_000,
  };
  const first = forwarder(audit, store, config);
  await append(audit, 30);
  await first.start();
  await until('30 records', () => c.seqs.length === 30);
  // Dropped only once the batch is saved: a drop inside the settle window after the flush
  // makes the batch count as lost and be resent (the documented at-least-once window).
  await until('cursor 30', () => first.status().cursor === 30);
  // The collector drops the connection; records made meanwhile go on the new one.
  for (const s of c.sockets) s.destroy();
  await append(audit, 20);
  await until('50 records', () => c.seqs.length === 50);
  await first.close();
  await append(audit, 5);
  const second = forwarder(audit, store, config);
  await second.start();
  await until('55 records', () => c.seqs.length === 55);
  assert.deepEqual(
    c.seqs,
    Array.from({ length: 55 }, (_, i) => i + 1),
  );
  // The cursor follows the collector (after the flush has settled).
  await until('cursor 55', () => second.status().cursor === 55);
  assert.equal(second.status().backlog, 0);
});

test('the backlog and unreachable alarms are raised once per episode, with the reason in the status', async () => {
  const { audit } = await memoryAudit();
  const alarms: string[] = [];
  const f = forwarder(
    audit,
    new MemoryDocStore('siem'),
    {
      transport: 'tcp',
      host: '127.0.0.1',
      port: 1, // nothing listens: unreachable
      caFile: undefined,
      backlogAlarm: 5,
      alarmAfterSeconds: 1,
      maxRate: 10,
    },
    alarms,
  );
  await append(audit, 6);
  await f.start();
  await until('both alarms', () => alarms.length === 2);
  assert.deepEqual([...alarms].sort(), ['siem.backlog_exceeded', 'siem.collector_unreachable']);
  const s = f.status();
  assert.equal(s.state, 'unreachable');
  assert.equal(s.backlog, 6);
  assert.match(s.lastError ?? '', /Cannot reach tcp:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
  await append(audit, 3);
  assert.equal(alarms.length, 2, 'once per episode');
});
