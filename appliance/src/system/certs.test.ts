import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setLogSink } from '../logging/index.ts';
import { ensureTlsMaterial, readCertificateExpiry, type TlsMaterial } from './index.ts';

let dataDir: string;
let tls: TlsMaterial;

before(async () => {
  setLogSink(() => {});
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'bl-tls-'));
  tls = await ensureTlsMaterial(dataDir, { hosts: ['branch-01.lan', '10.1.2.3'] });
});

after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('ensureTlsMaterial() issues a server certificate that the local CA signed, with the SANs', () => {
  const ca = new X509Certificate(tls.ca);
  const cert = new X509Certificate(tls.cert);
  assert.ok(ca.ca);
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(ca));
  assert.ok(cert.verify(ca.publicKey));
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.equal(cert.checkHost('branch-01.lan'), 'branch-01.lan');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkIP('10.1.2.3'), '10.1.2.3');
  assert.equal(cert.checkHost('evil.example'), undefined);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const days = (tls.notAfter.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 820 && days <= 825.1, `leaf valid ${days} days`);
});

test('ensureTlsMaterial() keeps private keys at mode 0600 and reuses valid material', async () => {
  assert.equal((await stat(tls.keyPath)).mode & 0o777, 0o600);
  assert.equal((await stat(path.join(dataDir, 'tls', 'private', 'ca.key'))).mode & 0o777, 0o600);
  const again = await ensureTlsMaterial(dataDir, { hosts: ['branch-01.lan', '10.1.2.3'] });
  assert.equal(again.issued, false);
  assert.equal(again.cert, tls.cert);
  assert.deepEqual(await readCertificateExpiry(tls.certPath), tls.notAfter);
});

test('ensureTlsMaterial() reissues from the same CA when a new host is asked for or expiry is near', async () => {
  const more = await ensureTlsMaterial(dataDir, { hosts: ['branch-01.lan', '10.1.2.3', 'pbx.lan'] });
  assert.equal(more.issued, true);
  assert.equal(more.ca, tls.ca);
  assert.equal(new X509Certificate(more.cert).checkHost('pbx.lan'), 'pbx.lan');
  const late = new Date(Date.now() + 800 * 86_400_000);
  const renewed = await ensureTlsMaterial(dataDir, { hosts: ['pbx.lan'], now: late });
  assert.equal(renewed.issued, true);
});

test('ensureTlsMaterial() rejects a host name that could inject OpenSSL config', async () => {
  await assert.rejects(ensureTlsMaterial(dataDir, { hosts: ['a.lan\nbasicConstraints=CA:TRUE'] }), TypeError);
});

test('an https server with the material answers a client that trusts only the local CA', async () => {
  const current = await ensureTlsMaterial(dataDir, { hosts: ['pbx.lan'] });
  const server = https.createServer({ key: current.key, cert: current.cert }, (_req, res) =>
    res.end('hello'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const get = (ca: string | undefined) =>
      new Promise<string>((resolve, reject) => {
        const req = https.get(
          { host: '127.0.0.1', port, path: '/', ...(ca ? { ca } : {}), agent: false },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => {
              body += c.toString();
            });
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
      });
    assert.equal(await get(current.ca), 'hello');
    await assert.rejects(get(undefined), /self[- ]signed|unable to (get|verify)/i);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
