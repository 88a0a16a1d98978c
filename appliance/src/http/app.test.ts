import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRoute, z } from '@hono/zod-openapi';
import { PERMISSIONS, type Permission } from '../contracts/index.ts';
import { createApp } from './app.ts';
import { requirePermission } from './guards.ts';
import { createRouter } from './router.ts';
import type { Principal } from './types.ts';

const writes: unknown[] = [];

function echoRoutes() {
  const app = createRouter();
  const r = createRoute({
    method: 'post',
    path: '/things',
    summary: 'Store a thing',
    middleware: [requirePermission('customers.write')] as const,
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({ name: z.string().max(20), n: z.number() }).strict() },
        },
      },
    },
    responses: { 201: { description: 'ok' } },
  });
  app.openapi(r, (c) => {
    writes.push(c.req.valid('json'));
    return c.json({ ok: true }, 201);
  });
  return app;
}

const principal: Principal = {
  userId: 'u1',
  username: 'ann',
  roles: ['admin'],
  permissions: new Set<Permission>(PERMISSIONS),
  sessionId: 's1',
  csrfToken: 'tok',
  mustChangePassword: false,
  mfaSetupRequired: false,
};

const app = createApp({
  resolveSession: async (sid) => (sid === 'good' ? principal : undefined),
  health: async () => ({ status: 'ok' }),
  mount: [['/api', echoRoutes()]],
  maxBodyBytes: 2048,
});

const authed = (body: string, headers: Record<string, string> = {}) =>
  app.request('/api/things', {
    method: 'POST',
    body,
    headers: {
      cookie: '__Host-bl_session=good',
      'content-type': 'application/json',
      'x-csrf-token': 'tok',
      ...headers,
    },
  });

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

test('GET /healthz answers 200 with a status', async () => {
  const res = await app.request('/healthz');
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { status: string }).status, 'ok');
});

test('responses carry CSP without inline script, frame-ancestors none, HSTS, nosniff and Referrer-Policy', async () => {
  const res = await app.request('/healthz');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
});

test('a valid authenticated JSON write succeeds', async () => {
  const res = await authed(JSON.stringify({ name: 'a', n: 1 }));
  assert.equal(res.status, 201);
});

test('malformed JSON is a 400 HTTP_BAD_JSON and nothing is written', async () => {
  const before = writes.length;
  const res = await authed('{"name": "a", ');
  assert.equal(res.status, 400);
  assert.equal(await code(res), 'HTTP_BAD_JSON');
  assert.equal(writes.length, before);
});

test('wrong types and unknown fields are a 400 HTTP_VALIDATION naming the field', async () => {
  const wrong = await authed(JSON.stringify({ name: 'a', n: 'one' }));
  assert.equal(wrong.status, 400);
  const body = (await wrong.json()) as {
    error: { code: string; details: { issues: Array<{ path: string }> } };
  };
  assert.equal(body.error.code, 'HTTP_VALIDATION');
  assert.ok(body.error.details.issues.some((i) => i.path === 'n'));
  const extra = await authed(JSON.stringify({ name: 'a', n: 1, admin: true }));
  assert.equal(extra.status, 400);
  assert.equal(await code(extra), 'HTTP_VALIDATION');
});

test('an oversized body is a 413 HTTP_BODY_TOO_LARGE', async () => {
  const res = await authed(JSON.stringify({ name: 'x'.repeat(5000), n: 1 }));
  assert.equal(res.status, 413);
  assert.equal(await code(res), 'HTTP_BODY_TOO_LARGE');
});

test('CSRF: a missing token, a cross-site Origin, and a form content type are refused', async () => {
  const noToken = await authed(JSON.stringify({ name: 'a', n: 1 }), { 'x-csrf-token': '' });
  assert.equal(noToken.status, 403);
  assert.equal(await code(noToken), 'HTTP_CSRF');
  const cross = await authed(JSON.stringify({ name: 'a', n: 1 }), { origin: 'https://evil.example' });
  assert.equal(cross.status, 403);
  const form = await authed('name=a&n=1', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415);
  const textPlain = await authed(JSON.stringify({ name: 'a', n: 1 }), { 'content-type': 'text/plain' });
  assert.equal(textPlain.status, 415);
});

test('no session is a 401 HTTP_UNAUTHENTICATED; unknown API routes are a coded 404', async () => {
  const res = await app.request('/api/things', {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status, 401);
  assert.equal(await code(res), 'HTTP_UNAUTHENTICATED');
  const nf = await app.request('/api/nope');
  assert.equal(nf.status, 404);
  assert.equal(await code(nf), 'HTTP_NOT_FOUND');
});

test('GET /api/openapi.json describes the mounted routes', async () => {
  const res = await app.request('/api/openapi.json');
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/things'], 'mounted route is in the document');
});
