import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  caFingerprint,
  decodeJoinBundle,
  defaultPolicy,
  encodeJoinBundle,
  generatePolicyKey,
  issueJoinBundle,
  signPolicy,
} from '../../../sync/src/index.ts';
import { SyncBridgeError } from './errors.ts';
import { parseBundle, testLink } from './join.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../../../certs/make-local-ca.sh');
const key = generatePolicyKey();
const signed = signPolicy(defaultPolicy(), key);
let dir: string;
let server: https.Server;
let url: string;
let caA: string;
let caB: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bl-join-'));
  for (const d of ['a', 'b'])
    execFileSync('bash', [SCRIPT, 'server', path.join(dir, d)], { stdio: 'ignore' });
  caA = readFileSync(path.join(dir, 'a', 'ca.crt'), 'utf8');
  caB = readFileSync(path.join(dir, 'b', 'ca.crt'), 'utf8');
  // HQ's replication port as far as the join test sees it: basic auth, the branch's inbound policy doc.
  server = https.createServer(
    {
      cert: readFileSync(path.join(dir, 'a', 'server.crt')),
      key: readFileSync(path.join(dir, 'a', 'private', 'server.key')),
    },
    (req, res) => {
      const ok = req.headers.authorization === `Basic ${Buffer.from('B1:right').toString('base64')}`;
      if (!ok) return void res.writeHead(401).end('{"error":"unauthorized"}');
      if (req.url !== '/b-B1-inbound/policy') return void res.writeHead(404).end('{}');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ _id: 'policy', signed }));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server?.closeAllConnections();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function bundle(over: { password?: string; caPem?: string; hqUrl?: string } = {}) {
  const caPem = over.caPem ?? caA;
  return decodeJoinBundle(
    issueJoinBundle(
      {
        branch: 'B1',
        name: 'test branch',
        hqUrl: over.hqUrl ?? url,
        caPem,
        caFingerprint: caFingerprint(caPem),
        username: 'B1',
        password: over.password ?? 'right',
        hqControlKey: key.publicKey,
        hqSealKey: 'seal-key',
        policy: signed,
        issuedAt: new Date().toISOString(),
      },
      key,
    ),
  );
}

const results = (checks: Awaited<ReturnType<typeof testLink>>) =>
  Object.fromEntries(checks.map((c) => [c.check, c.result]));

test('testLink() passes every step over HTTPS when HQ presents a certificate from the bundle CA', async () => {
  const checks = await testLink(bundle());
  assert.deepEqual(results(checks), { reachable: 'ok', tls: 'ok', credentials: 'ok', keys: 'ok' });
  assert.equal(checks.find((c) => c.check === 'tls')?.info, caFingerprint(caA));
});

test('testLink() fails the TLS pin when HQ’s certificate is not from the bundle CA, and tries no credentials', async () => {
  const checks = await testLink(bundle({ caPem: caB }));
  assert.deepEqual(results(checks), {
    reachable: 'ok',
    tls: 'failed',
    credentials: 'skipped',
    keys: 'skipped',
  });
});

test('testLink() reports refused credentials and an unreachable HQ as failed steps, without throwing', async () => {
  assert.deepEqual(results(await testLink(bundle({ password: 'wrong' }))), {
    reachable: 'ok',
    tls: 'ok',
    credentials: 'failed',
    keys: 'skipped',
  });
  const closed = https.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const down = await testLink(bundle({ hqUrl: `https://127.0.0.1:${port}` }), { timeoutMs: 2_000 });
  assert.equal(down[0]?.result, 'failed');
  assert.equal(down[0]?.info, 'ECONNREFUSED');
});

test('parseBundle() refuses a bundle whose CA does not match its fingerprint, or one re-signed by another key, with SYNC_BUNDLE_INVALID', () => {
  const good = bundle();
  const swapped = encodeJoinBundle({ ...good, caPem: caB });
  assert.throws(
    () => parseBundle(swapped),
    (e) =>
      e instanceof SyncBridgeError &&
      e.code === 'SYNC_BUNDLE_INVALID' &&
      e.details?.['problem'] === 'signature',
  );
  const other = generatePolicyKey();
  const { v: _v, sig: _s, ...body } = good;
  const resigned = issueJoinBundle({ ...body, caPem: caB }, other);
  assert.throws(
    () => parseBundle(resigned),
    (e) => e instanceof SyncBridgeError && e.details?.['problem'] === 'signature',
    'the bundle names HQ’s key but another key signed it',
  );
  const fpMismatch = issueJoinBundle({ ...body, caPem: caB }, key);
  assert.throws(
    () => parseBundle(fpMismatch),
    (e) => e instanceof SyncBridgeError && e.details?.['problem'] === 'ca',
  );
  assert.throws(
    () => parseBundle('hello'),
    (e) => e instanceof SyncBridgeError && e.code === 'SYNC_BUNDLE_INVALID' && e.status === 400,
  );
});
