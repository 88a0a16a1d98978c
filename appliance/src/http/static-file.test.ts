import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { acceptedEncoding } from './static-file.ts';
import { staticSpa } from './static-node.ts';
import type { AppEnv } from './types.ts';

const JS = `export const hello = ${JSON.stringify('x'.repeat(4000))};\n`;
let dir: string;
let app: Hono<AppEnv>;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bl-static-'));
  const root = path.join(dir, 'console');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(path.join(root, 'assets/index-AbC123.js'), JS);
  await writeFile(path.join(root, 'assets/index-AbC123.js.gz'), gzipSync(JS));
  await writeFile(path.join(root, 'assets/index-AbC123.js.br'), brotliCompressSync(JS));
  await writeFile(path.join(root, 'assets/logo-9f8e.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(path.join(dir, 'secret.txt'), 'TOP-SECRET');
  app = new Hono<AppEnv>();
  app.use('*', staticSpa(root));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (p: string, headers: Record<string, string> = {}, method = 'GET') =>
  app.request(`http://127.0.0.1${p}`, { method, headers });

test('acceptedEncoding() honours q-values and *, and prefers br at equal q', () => {
  assert.equal(acceptedEncoding('gzip, deflate, br', ['br', 'gzip']), 'br');
  assert.equal(acceptedEncoding('gzip;q=1, br;q=0.5', ['br', 'gzip']), 'gzip');
  assert.equal(acceptedEncoding('br;q=0, gzip', ['br', 'gzip']), 'gzip');
  assert.equal(acceptedEncoding('*', ['gzip']), 'gzip');
  assert.equal(acceptedEncoding('*;q=0, identity', ['br', 'gzip']), undefined);
  assert.equal(acceptedEncoding('deflate', ['br', 'gzip']), undefined);
  assert.equal(acceptedEncoding(undefined, ['br', 'gzip']), undefined);
  assert.equal(acceptedEncoding('br', ['gzip']), undefined);
});

test('staticSpa() sends the .br file to a client that accepts br, with Vary and immutable caching', async () => {
  const r = await get('/assets/index-AbC123.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-encoding'), 'br');
  assert.equal(r.headers.get('vary'), 'Accept-Encoding');
  assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(r.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.equal(brotliDecompressSync(Buffer.from(await r.arrayBuffer())).toString(), JS);
});

test('staticSpa() sends gzip to a gzip-only client and the plain file to one that accepts nothing', async () => {
  const gz = await get('/assets/index-AbC123.js', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  assert.equal(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString(), JS);
  const plain = await get('/assets/index-AbC123.js');
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
  assert.equal(await plain.text(), JS);
});

test('staticSpa() answers 304 to a matching If-None-Match, per encoding', async () => {
  const first = await get('/assets/index-AbC123.js', { 'accept-encoding': 'br' });
  const etag = first.headers.get('etag') ?? '';
  assert.match(etag, /^".+"$/);
  const again = await get('/assets/index-AbC123.js', { 'accept-encoding': 'br', 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  const otherEncoding = await get('/assets/index-AbC123.js', {
    'accept-encoding': 'gzip',
    'if-none-match': etag,
  });
  assert.equal(otherEncoding.status, 200);
});

test('staticSpa() serves index.html with no-cache for the root and for client-side routes', async () => {
  for (const p of ['/', '/agent/inbox']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('cache-control'), 'no-cache', p);
    assert.match(await r.text(), /id="app"/, p);
  }
  const head = await get('/', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('staticSpa() answers 404 for a missing hashed asset instead of the page', async () => {
  const r = await get('/assets/index-Gone99.js');
  assert.equal(r.status, 404);
});

test('staticSpa() never serves a file outside its root, however the path is encoded', async () => {
  for (const p of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%00',
  ]) {
    const r = await get(p);
    assert.doesNotMatch(await r.text(), /TOP-SECRET/, p);
  }
});

test('staticSpa() leaves other methods to the next handler', async () => {
  const r = await get('/assets/index-AbC123.js', {}, 'POST');
  assert.equal(r.status, 404);
});
