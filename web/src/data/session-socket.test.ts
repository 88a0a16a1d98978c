import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { SessionSocket, type SocketLike, WS_SESSION_ENDED } from './session-socket.ts';

let wss: WebSocketServer;
let url: string;
/** What the server does with each new connection, set per test. */
let onConnection: (ws: WsSocket) => void = () => {};
let connections = 0;

before(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/ws`;
  wss.on('connection', (ws) => {
    connections += 1;
    ws.send(JSON.stringify({ type: 'hello', userId: 'u1' }));
    onConnection(ws);
  });
});

after(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

const create = (u: string) => new WebSocket(u) as unknown as SocketLike;
const fast = { create, baseDelayMs: 10, maxDelayMs: 40 };

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('Cannot finish waiting: condition still false after timeout');
    await sleep(5);
  }
}

test('a session.ended frame with close code 4001 reports the reason once and never reconnects', async () => {
  connections = 0;
  onConnection = (ws) => {
    ws.send(JSON.stringify({ type: 'session.ended', reason: 'frozen' }));
    ws.close(WS_SESSION_ENDED, 'frozen');
  };
  const ended: string[] = [];
  const s = new SessionSocket(url, { ...fast, onEnded: (r) => ended.push(r) }).start();
  await until(() => ended.length > 0);
  await sleep(100);
  assert.deepEqual(ended, ['frozen']);
  assert.equal(connections, 1);
  assert.equal(s.closed, true);
});

test('close code 4001 alone also ends the session, using the close reason', async () => {
  onConnection = (ws) => ws.close(WS_SESSION_ENDED, 'logout');
  const ended: string[] = [];
  new SessionSocket(url, { ...fast, onEnded: (r) => ended.push(r) }).start();
  await until(() => ended.length > 0);
  assert.deepEqual(ended, ['logout']);
});

test('an unexpected drop reconnects with back-off and reports the link down then up', async () => {
  connections = 0;
  onConnection = (ws) => {
    if (connections === 1) setTimeout(() => ws.terminate(), 20);
  };
  const status: boolean[] = [];
  const s = new SessionSocket(url, {
    ...fast,
    onEnded: () => assert.fail('must not end'),
    onStatus: (up) => status.push(up),
  }).start();
  await until(() => connections === 2 && status.length === 3);
  assert.deepEqual(status, [true, false, true]);
  s.close();
  s.close();
  assert.equal(s.closed, true);
});

test('beforeReconnect resolving false stops reconnecting', async () => {
  connections = 0;
  onConnection = (ws) => setTimeout(() => ws.terminate(), 10);
  let asked = 0;
  const s = new SessionSocket(url, {
    ...fast,
    onEnded: () => assert.fail('must not end'),
    beforeReconnect: async () => {
      asked += 1;
      return false;
    },
  }).start();
  await until(() => s.closed);
  await sleep(80);
  assert.equal(asked, 1);
  assert.equal(connections, 1);
});

test('server pushes other than hello and pong reach onMessage', async () => {
  onConnection = (ws) => {
    ws.send(JSON.stringify({ type: 'pong' }));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'event', event: { type: 'user.frozen' } }));
  };
  const got: unknown[] = [];
  const s = new SessionSocket(url, { ...fast, onEnded: () => {}, onMessage: (m) => got.push(m) }).start();
  await until(() => got.length > 0);
  s.close();
  assert.deepEqual(got, [{ type: 'event', event: { type: 'user.frozen' } }]);
});
