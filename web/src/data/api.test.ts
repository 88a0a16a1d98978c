import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ApiClient, ApiError, CSRF_HEADER, errorFromBody, NETWORK_ERROR } from './api.ts';
import { fetchMe, login, logout } from './auth.ts';
import { freezeUser } from './users.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
const me = { user: { id: 'u1', username: 'admin' }, csrfToken: 'tok-1', mustChangePassword: false };

// A real HTTP server that answers like the appliance for the few paths used here.
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, json?: unknown) => {
        res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      if (req.url === '/api/auth/login') {
        const creds = JSON.parse(body) as { password: string };
        if (creds.password === 'right') return send(200, me);
        return send(401, {
          error: { code: 'IDENTITY_BAD_CREDENTIALS', message: 'Invalid username or password' },
        });
      }
      if (req.url === '/api/auth/me') return send(200, me);
      if (req.url === '/api/auth/logout') return send(204);
      if (req.url === '/api/users/u%202/freeze') return send(200, { id: 'u 2', status: 'frozen' });
      if (req.url === '/api/throttled')
        return send(429, { error: { code: 'IDENTITY_THROTTLED', message: 'x' } });
      if (req.url === '/api/expired')
        return send(401, { error: { code: 'HTTP_UNAUTHENTICATED', message: 'x' } });
      if (req.url === '/api/html') {
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<h1>Bad gateway</h1>');
      }
      send(404, { error: { code: 'HTTP_NOT_FOUND', message: 'Not found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const last = () => seen.at(-1)!;

test('post() sends the CSRF token from the login answer, and get() never sends it', async () => {
  const api = new ApiClient({ base });
  await login(api, { username: 'admin', password: 'right' });
  assert.equal(last().headers[CSRF_HEADER], undefined, 'no token before one was issued');
  assert.equal(api.csrfToken, 'tok-1');

  await fetchMe(api);
  assert.equal(last().method, 'GET');
  assert.equal(last().headers[CSRF_HEADER], undefined);

  const frozen = await freezeUser(api, 'u 2');
  assert.equal(frozen.status, 'frozen');
  assert.equal(last().method, 'POST');
  assert.equal(last().headers[CSRF_HEADER], 'tok-1');
  assert.match(String(last().headers['content-type']), /^application\/json/);
  assert.equal(last().body, '{}');
});

test('logout() forgets the CSRF token even though the answer is an empty 204', async () => {
  const api = new ApiClient({ base });
  await login(api, { username: 'admin', password: 'right' });
  await logout(api);
  assert.equal(last().headers[CSRF_HEADER], 'tok-1');
  assert.equal(api.csrfToken, undefined);
});

test('a failed request rejects with ApiError carrying the server code and status', async () => {
  const api = new ApiClient({ base });
  await assert.rejects(login(api, { username: 'admin', password: 'wrong' }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 'IDENTITY_BAD_CREDENTIALS');
    assert.equal(e.status, 401);
    return true;
  });
  await assert.rejects(api.get('/api/throttled'), { code: 'IDENTITY_THROTTLED', status: 429 });
  await assert.rejects(api.get('/api/html'), { code: 'HTTP_UNKNOWN', status: 502 });
});

test('every 401 calls onUnauthenticated and drops the CSRF token', async () => {
  const calls: string[] = [];
  const api = new ApiClient({ base, onUnauthenticated: (e) => calls.push(e.code) });
  await login(api, { username: 'admin', password: 'right' });
  await assert.rejects(api.get('/api/expired'), { code: 'HTTP_UNAUTHENTICATED' });
  assert.deepEqual(calls, ['HTTP_UNAUTHENTICATED']);
  assert.equal(api.csrfToken, undefined);
});

test('an unreachable server rejects with NETWORK_ERROR', async () => {
  const api = new ApiClient({ base: 'http://127.0.0.1:1' });
  await assert.rejects(api.get('/api/auth/me'), { code: NETWORK_ERROR, status: 0 });
});

test('url() drops empty query values and encodes the rest', () => {
  const api = new ApiClient({ base: '' });
  assert.equal(
    api.url('/api/audit', { actor: 'li na', action: '', outcome: undefined, limit: 50 }),
    '/api/audit?actor=li+na&limit=50',
  );
});

test('errorFromBody() falls back to a status-derived code when the body has no error code', () => {
  assert.equal(errorFromBody({ error: { code: 'HTTP_CSRF', message: 'm' } }, 403).code, 'HTTP_CSRF');
  assert.equal(errorFromBody({ error: { code: '' } }, 403).code, 'HTTP_FORBIDDEN');
  assert.equal(errorFromBody('nope', 401).code, 'HTTP_UNAUTHENTICATED');
  assert.equal(errorFromBody(undefined, 500).code, 'HTTP_UNKNOWN');
  assert.deepEqual(errorFromBody({ error: { code: 'X', details: { missing: ['a'] } } }, 400).details, {
    missing: ['a'],
  });
});
