// On the LAN, safely (issue 12): an appliance bound to every interface (as the image's
// /etc/branchline/branchline.env does) is reached on this machine's LAN address. Its
// certificate names that address and the host name, plain HTTP only redirects LAN
// clients to HTTPS (loopback tools such as mark-good.sh are still served), and the
// local CA is downloadable unauthenticated with the fingerprint the login page shows,
// which matches `openssl x509 -fingerprint -sha256`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { startAppliance, tempDataDir } from './support/appliance.ts';
import { ARTIFACTS, launchChromium } from './support/browser.ts';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address to test the LAN bind on');
}

/** GET over HTTPS to `host` verified against `ca` for the name `servername`. */
function verifiedGet(host: string, port: number, pathname: string, ca: string, servername: string) {
  return new Promise<{ status: number; san: string }>((resolve, reject) => {
    // An IP address is checked against the certificate as the host (SNI takes names only).
    const sni = isIP(servername) ? {} : { servername };
    const req = request({ host, port, path: pathname, ca, ...sni, headers: { host: servername } }, (res) => {
      const san = (res.socket as TLSSocket).getPeerCertificate().subjectaltname ?? '';
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, san }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('bound to the LAN: certificate names the address and host name, HTTP redirects, CA download + fingerprint', async () => {
  const addr = lanAddress();
  const name = hostname().toLowerCase();
  const tmp = await tempDataDir('bl-lan-');
  cleanups.push(tmp.cleanup);
  const app = await startAppliance(path.join(tmp.dir, 'data'), { env: { BRANCHLINE_BIND: '0.0.0.0' } });
  cleanups.push(async () => {
    await app.stop();
  });

  // Plain HTTP from a LAN client: a redirect to the same path over HTTPS, nothing else.
  const lanHttp = await fetch(`http://${addr}:${app.httpPort}/healthz?x=1`, { redirect: 'manual' });
  assert.equal(lanHttp.status, 308);
  assert.equal(lanHttp.headers.get('location'), `https://${addr}:${app.httpsPort}/healthz?x=1`);
  const lanApi = await fetch(`http://${addr}:${app.httpPort}/api/auth/session`, { redirect: 'manual' });
  assert.equal(lanApi.status, 308, 'the API is not served over plain HTTP on the LAN either');
  const local = await fetch(`${app.base}/healthz`);
  assert.equal(local.status, 200, 'loopback clients (mark-good.sh, the CLI) are still served');

  // The CA, unauthenticated, as PEM; its fingerprint as openssl prints it.
  const caRes = await fetch(`${app.base}/ca.crt`);
  assert.equal(caRes.status, 200);
  assert.equal(caRes.headers.get('content-type'), 'application/x-pem-file');
  const caPem = await caRes.text();
  assert.match(caPem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  const caFile = path.join(tmp.dir, 'downloaded-ca.crt');
  await writeFile(caFile, caPem);
  const openssl = (await run('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', caFile])).stdout;
  const expected = /Fingerprint=([0-9A-F:]{95})/.exec(openssl)?.[1];
  assert.ok(expected, openssl);
  const info = (await (await fetch(`${app.base}/ca.json`)).json()) as { fingerprintSha256: string };
  assert.equal(info.fingerprintSha256, expected);

  // TLS on the LAN address verifies against that CA, by address and by host name.
  const byAddr = await verifiedGet(addr, app.httpsPort, '/healthz', caPem, addr);
  assert.equal(byAddr.status, 200);
  assert.ok(byAddr.san.includes(`IP Address:${addr}`), byAddr.san);
  assert.ok(byAddr.san.includes(`DNS:${name}`), byAddr.san);
  const byName = await verifiedGet(addr, app.httpsPort, '/healthz', caPem, name);
  assert.equal(byName.status, 200);

  // The login page, reached on the LAN address, links the CA and shows the same fingerprint.
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`http://${addr}:${app.httpPort}/`);
  assert.equal(new URL(page.url()).protocol, 'https:', 'the browser was sent to HTTPS');
  const shown = page.getByTestId('login-ca-fingerprint');
  await shown.waitFor({ timeout: 30_000 });
  assert.equal(await shown.textContent(), expected);
  assert.equal(await page.getByTestId('login-ca-download').getAttribute('href'), '/ca.crt');
  await page.screenshot({ path: path.join(ARTIFACTS, 'lan-tls-login-ca.png'), fullPage: true });
});
