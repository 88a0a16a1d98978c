import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const repo = path.resolve(import.meta.dirname, '../../..');
const fw = path.join(repo, 'firmware-scripts');
let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bl-ops-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs a command; resolves {code, out} instead of throwing on a non-zero exit. */
async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await execFile(cmd, args, { timeout: 60_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${cmd} is not installed (CI installs it)`);
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function scripts(): Promise<string[]> {
  const list = (dir: string) =>
    readdir(dir).then((ns) => ns.filter((n) => n.endsWith('.sh')).map((n) => path.join(dir, n)));
  return [
    ...(await list(fw)),
    ...(await list(path.join(fw, 'lib'))),
    ...(await list(path.join(repo, 'certs'))),
  ];
}

test('every shell script passes shellcheck', async () => {
  const files = await scripts();
  assert.ok(files.length >= 9, `found ${files.length} scripts`);
  const r = await run('shellcheck', ['-x', '-P', 'SCRIPTDIR', ...files]);
  assert.equal(r.code, 0, r.out);
});

const UNITS = [
  'branchline.service',
  'branchline-backup.service',
  'branchline-backup.timer',
  'branchline-update-guard.service',
  'branchline-update-confirm.service',
  'branchline-console-screen.service',
];

test('systemd-analyze verify accepts every unit without a complaint about it', async () => {
  // Copies point at paths that exist here; the directives are checked unchanged.
  const dir = path.join(tmp, 'units');
  await mkdir(dir);
  for (const u of UNITS) {
    const text = (await readFile(path.join(repo, 'systemd', u), 'utf8'))
      .replaceAll('/opt/branchline/tools/', `${fw}/`)
      .replaceAll('/opt/branchline/current', repo);
    await writeFile(path.join(dir, u), text);
  }
  const r = await run('systemd-analyze', ['verify', ...UNITS.map((u) => path.join(dir, u))]);
  const about = r.out.split('\n').filter((l) => UNITS.some((u) => l.includes(u)));
  assert.deepEqual(about, []);
  assert.equal(r.code, 0, r.out);
});

test('systemd-analyze security rates the appliance and backup units at exposure 3.0 or better', async () => {
  for (const u of ['branchline.service', 'branchline-backup.service']) {
    const r = await run('systemd-analyze', ['security', '--offline=yes', path.join(repo, 'systemd', u)]);
    const m = /Overall exposure level for [\w.-]+: ([\d.]+)/.exec(r.out);
    assert.ok(m, r.out);
    const score = Number(m[1]);
    assert.ok(score <= 3.0, `${u} exposure ${score}`);
  }
});

test('make-local-ca.sh issues a server cert and an HQ mTLS client cert that verify, keys 0600', async () => {
  const srv = path.join(tmp, 'ca-srv');
  const hq = path.join(tmp, 'ca-hq');
  const branch = path.join(tmp, 'branch');
  const script = path.join(repo, 'certs', 'make-local-ca.sh');
  assert.equal((await run(script, ['server', srv, 'branch.lan', '10.9.8.7'])).code, 0);
  assert.equal((await run(script, ['hq-client', hq, 'B01', branch])).code, 0);
  const ca = new X509Certificate(await readFile(path.join(srv, 'ca.crt')));
  const cert = new X509Certificate(await readFile(path.join(srv, 'server.crt')));
  assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
  assert.equal(cert.checkHost('branch.lan'), 'branch.lan');
  assert.equal(cert.checkIP('10.9.8.7'), '10.9.8.7');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  const hqCa = new X509Certificate(await readFile(path.join(hq, 'ca.crt')));
  const client = new X509Certificate(await readFile(path.join(branch, 'branch-B01.crt')));
  assert.ok(client.verify(hqCa.publicKey));
  assert.equal(client.verify(ca.publicKey), false);
  assert.match(client.subject, /CN=branch-B01/);
  assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.match(client.subjectAltName ?? '', /URI:urn:branchline:branch:B01/);
  for (const f of [
    path.join(srv, 'private/ca.key'),
    path.join(srv, 'private/server.key'),
    path.join(branch, 'private/branch-B01.key'),
  ]) {
    assert.equal((await stat(f)).mode & 0o777, 0o600, f);
  }
  assert.notEqual((await run(script, ['server', srv, 'bad host;'])).code, 0);
});

// A/B: a simulated /opt/branchline with slot a active and a pinned signing key.
let abRoot: string;
let keys: string;
let bundleV2: string;

async function freshRoot(name: string): Promise<string> {
  const root = path.join(tmp, name);
  await mkdir(path.join(root, 'slots', 'a'), { recursive: true });
  await writeFile(path.join(root, 'slots', 'a', 'VERSION'), '1.0.0\n');
  await execFile('ln', ['-s', 'slots/a', path.join(root, 'current')]);
  await mkdir(path.join(root, 'keys'));
  await cp(path.join(keys, 'update-signing.pub.pem'), path.join(root, 'keys', 'update-signing.pub.pem'));
  return root;
}

async function bundle(version: string, content: string, security?: number): Promise<string> {
  const payload = path.join(tmp, `payload-${version}`);
  await mkdir(path.join(payload, 'appliance'), { recursive: true });
  await writeFile(path.join(payload, 'appliance', 'main.txt'), content);
  const out = path.join(tmp, `update-${version}.blup`);
  const key = path.join(keys, 'update-signing.key');
  const r = await run(path.join(fw, 'make-update.sh'), [
    'build',
    '--version',
    version,
    '--payload',
    payload,
    '--key',
    key,
    '--out',
    out,
    ...(security === undefined ? [] : ['--security-version', String(security)]),
  ]);
  assert.equal(r.code, 0, r.out);
  return out;
}

const apply = (root: string, file: string, ...extra: string[]) =>
  run(path.join(fw, 'apply-update.sh'), [file, '--root', root, ...extra]);
const current = async (root: string) => readlink(path.join(root, 'current'));

test('make-update.sh + apply-update.sh install a signed bundle into the inactive slot and switch to it', async () => {
  keys = path.join(tmp, 'signing');
  assert.equal((await run(path.join(fw, 'make-update.sh'), ['keygen', keys])).code, 0);
  assert.equal((await stat(path.join(keys, 'update-signing.key'))).mode & 0o777, 0o600);
  bundleV2 = await bundle('2.0.0', 'v2 code');
  abRoot = await freshRoot('ab');
  const r = await apply(abRoot, bundleV2);
  assert.equal(r.code, 0, r.out);
  assert.equal(await current(abRoot), 'slots/b');
  assert.equal(await readFile(path.join(abRoot, 'current', 'appliance', 'main.txt'), 'utf8'), 'v2 code');
  assert.equal(await readFile(path.join(abRoot, 'current', 'VERSION'), 'utf8'), '2.0.0\n');
  assert.match(
    await readFile(path.join(abRoot, 'state', 'pending'), 'utf8'),
    /slot=b\nprevious=a\nversion=2.0.0/,
  );
  const again = await apply(abRoot, bundleV2);
  assert.notEqual(again.code, 0, 'a second update waits for the first to be confirmed');
  assert.match(again.out, /still pending/);
});

async function flipped(file: string, marker: string, delta: number): Promise<string> {
  const b = await readFile(file);
  const at = b.indexOf(marker);
  assert.ok(at >= 0, `marker ${marker}`);
  b[at + delta]! ^= 0x04;
  const out = `${file}.flipped-${marker.length}-${delta}`;
  await writeFile(out, b);
  return out;
}

test('apply-update.sh refuses a bundle with a flipped byte in the manifest or the payload and changes nothing', async () => {
  const root = await freshRoot('ab-flip');
  const badManifest = await flipped(bundleV2, '"version":"2.0.0"', 12);
  const r1 = await apply(root, badManifest);
  assert.notEqual(r1.code, 0);
  assert.match(r1.out, /bad signature/);
  // The payload member's tar header starts with its name; its data follows 512 bytes on.
  const badPayload = await flipped(bundleV2, 'payload.tar.gz\0', 512 + 40);
  const r2 = await apply(root, badPayload);
  assert.notEqual(r2.code, 0);
  assert.match(r2.out, /checksum mismatch/);
  assert.equal(await current(root), 'slots/a');
  assert.equal(existsSync(path.join(root, 'slots', 'b')), false);
  assert.equal(existsSync(path.join(root, 'state', 'pending')), false);
});

test('apply-update.sh refuses a bundle signed by another key', async () => {
  const otherKeys = path.join(tmp, 'other-signing');
  await run(path.join(fw, 'make-update.sh'), ['keygen', otherKeys]);
  const root = await freshRoot('ab-otherkey');
  const r = await apply(root, bundleV2, '--pubkey', path.join(otherKeys, 'update-signing.pub.pem'));
  assert.match(r.out, /bad signature/);
  assert.equal(await current(root), 'slots/a');
});

/**
 * A stand-in appliance: `/healthz` answers `status` with `body` (the self-test
 * passing unless the body says otherwise), `/` serves an HTML page.
 */
async function healthServer(
  status: number,
  body = '{"status":"ok","selftest":"passed","uptimeS":1,"checks":{"stores":{"ok":true}}}',
): Promise<{ url: string; port: number; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.statusCode = status;
    res.end(req.url === '/' ? '<!doctype html><html><body>console</body></html>' : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    port,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

test('mark-good.sh confirms the pending slot once /healthz answers 200', async () => {
  const h = await healthServer(200);
  try {
    const r = await run(path.join(fw, 'mark-good.sh'), ['--root', abRoot, '--url', h.url]);
    assert.equal(r.code, 0, r.out);
  } finally {
    await h.close();
  }
  assert.equal(existsSync(path.join(abRoot, 'state', 'pending')), false);
  assert.match(await readFile(path.join(abRoot, 'state', 'good'), 'utf8'), /slot=b\nversion=2.0.0/);
  assert.equal(await current(abRoot), 'slots/b');
});

test('mark-good.sh --rollback-on-failure switches back to the previous slot when /healthz fails', async () => {
  const root = await freshRoot('ab-unhealthy');
  assert.equal((await apply(root, bundleV2)).code, 0);
  const h = await healthServer(503);
  try {
    const r = await run(path.join(fw, 'mark-good.sh'), [
      '--root',
      root,
      '--url',
      h.url,
      '--rollback-on-failure',
    ]);
    assert.equal(r.code, 1, r.out);
  } finally {
    await h.close();
  }
  assert.equal(await current(root), 'slots/a');
  assert.equal(await readFile(path.join(root, 'current', 'VERSION'), 'utf8'), '1.0.0\n');
  assert.match(
    await readFile(path.join(root, 'state', 'last-rollback'), 'utf8'),
    /from=b\nto=a\nreason=health check failed/,
  );
});

const markGood = (root: string, ...extra: string[]) =>
  run(path.join(fw, 'mark-good.sh'), ['--root', root, '--env-file', '/nonexistent', ...extra]);

/** Applies a bundle and confirms it against a healthy stand-in appliance. */
async function applyAndConfirm(root: string, file: string): Promise<void> {
  const r = await apply(root, file);
  assert.equal(r.code, 0, r.out);
  const h = await healthServer(200);
  try {
    const m = await markGood(root, '--url', h.url);
    assert.equal(m.code, 0, m.out);
  } finally {
    await h.close();
  }
}

test('apply-update.sh refuses a signed older bundle below the security floor; a failed update still rolls back', async () => {
  const root = await freshRoot('ab-downgrade');
  const v100 = await bundle('1.0.0', 'v1.0.0 code', 1);
  const v110 = await bundle('1.1.0', 'v1.1.0 code', 2);
  await applyAndConfirm(root, v100);
  await applyAndConfirm(root, v110);
  assert.match(await readFile(path.join(root, 'state', 'security-floor'), 'utf8'), /security_version=2\n/);

  const r = await apply(root, v100);
  assert.equal(r.code, 1, r.out);
  assert.match(
    r.out,
    /UPDATE_DOWNGRADE_REFUSED: version 1\.0\.0 has security version 1, below this appliance's floor 2/,
  );
  assert.equal(await readFile(path.join(root, 'current', 'VERSION'), 'utf8'), '1.1.0\n');
  assert.equal(existsSync(path.join(root, 'state', 'pending')), false);

  // A newer update that fails its health check goes back to 1.1.0 (already accepted).
  assert.equal((await apply(root, await bundle('1.2.0', 'v1.2.0 code', 3))).code, 0);
  const sick = await healthServer(503);
  try {
    assert.equal((await markGood(root, '--url', sick.url, '--rollback-on-failure')).code, 1);
  } finally {
    await sick.close();
  }
  assert.equal(await readFile(path.join(root, 'current', 'VERSION'), 'utf8'), '1.1.0\n');
  assert.match(await readFile(path.join(root, 'state', 'security-floor'), 'utf8'), /security_version=2\n/);
});

test('a signed downgrade authorisation installs that exact version on that device once, and is logged', async () => {
  const root = await freshRoot('ab-downgrade-auth');
  await writeFile(path.join(root, 'device-id'), 'BR-0042\n');
  const v100 = await bundle('1.0.0', 'v1.0.0 code', 1);
  const v101 = await bundle('1.0.1', 'v1.0.1 code', 1);
  await applyAndConfirm(root, v100);
  await applyAndConfirm(root, await bundle('1.1.0', 'v1.1.0 code', 2));
  const key = path.join(keys, 'update-signing.key');
  const authorize = async (file: string, device: string, out: string) => {
    const r = await run(path.join(fw, 'make-update.sh'), [
      'authorize-downgrade',
      '--bundle',
      file,
      '--device',
      device,
      '--key',
      key,
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.out);
    return out;
  };
  const good = await authorize(v100, 'BR-0042', path.join(tmp, 'dg-good.bldg'));
  const otherDevice = await authorize(v100, 'BR-0043', path.join(tmp, 'dg-other-device.bldg'));
  const otherVersion = await authorize(v101, 'BR-0042', path.join(tmp, 'dg-other-version.bldg'));
  const forged = path.join(tmp, 'dg-forged.bldg');
  const otherKeys = path.join(tmp, 'forger-keys');
  await run(path.join(fw, 'make-update.sh'), ['keygen', otherKeys]);
  await run(path.join(fw, 'make-update.sh'), [
    'authorize-downgrade',
    '--bundle',
    v100,
    '--device',
    'BR-0042',
    '--key',
    path.join(otherKeys, 'update-signing.key'),
    '--out',
    forged,
  ]);

  const dev = await apply(root, v100, '--downgrade-auth', otherDevice);
  assert.match(
    dev.out,
    /UPDATE_DOWNGRADE_AUTH_MISMATCH: authorisation is for device 'BR-0043', this is 'BR-0042'/,
  );
  const ver = await apply(root, v100, '--downgrade-auth', otherVersion);
  assert.match(ver.out, /UPDATE_DOWNGRADE_AUTH_MISMATCH: authorisation is for version '1\.0\.1'/);
  const bad = await apply(root, v100, '--downgrade-auth', forged);
  assert.match(bad.out, /UPDATE_DOWNGRADE_AUTH_INVALID: bad signature/);
  const junk = await apply(root, v100, '--downgrade-auth', v101);
  assert.match(junk.out, /UPDATE_DOWNGRADE_AUTH_INVALID: not a downgrade authorisation/);
  for (const r of [dev, ver, bad, junk]) assert.equal(r.code, 1, r.out);
  assert.equal(await readFile(path.join(root, 'current', 'VERSION'), 'utf8'), '1.1.0\n');
  assert.equal(existsSync(path.join(root, 'state', 'downgrades')), false);

  const ok = await apply(root, v100, '--downgrade-auth', good);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /AUTHORISED DOWNGRADE to 1\.0\.0 \(security version 1 < floor 2\)/);
  assert.equal(await readFile(path.join(root, 'current', 'VERSION'), 'utf8'), '1.0.0\n');
  const log = await readFile(path.join(root, 'state', 'downgrades'), 'utf8');
  assert.match(log, /^id=[0-9a-f]{32} version=1\.0\.0 security_version=1 floor=2 device=BR-0042 at=\S+\n$/);

  // Back to 1.1.0; the same authorisation does not work a second time.
  assert.equal((await run(path.join(fw, 'rollback.sh'), ['--now', '--root', root])).code, 0);
  const again = await apply(root, v100, '--downgrade-auth', good);
  assert.equal(again.code, 1, again.out);
  assert.match(again.out, /UPDATE_DOWNGRADE_AUTH_USED/);
  assert.equal(await readFile(path.join(root, 'current', 'VERSION'), 'utf8'), '1.1.0\n');
  assert.match(await readFile(path.join(root, 'state', 'security-floor'), 'utf8'), /security_version=2\n/);
});

test('mark-good.sh probes the port and bind from the env file and refuses a degraded appliance', async () => {
  const h = await healthServer(200, '{"status":"degraded","selftest":"passed","checks":{"status":"ok"}}');
  const envFile = path.join(tmp, 'branchline.env');
  await writeFile(
    envFile,
    `# appliance settings\nBRANCHLINE_BIND="0.0.0.0"\nBRANCHLINE_HTTP_PORT=${h.port}\n`,
  );
  const root = await freshRoot('ab-degraded');
  assert.equal((await apply(root, bundleV2)).code, 0);
  try {
    const r = await run(path.join(fw, 'mark-good.sh'), [
      '--root',
      root,
      '--env-file',
      envFile,
      '--rollback-on-failure',
    ]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /status "degraded"/);
    assert.deepEqual(h.hits, ['/healthz?selftest=1'], 'the configured port was probed');
  } finally {
    await h.close();
  }
  assert.equal(await current(root), 'slots/a', 'a degraded update is rolled back, not confirmed');

  const failing = await healthServer(
    200,
    '{"status":"ok","selftest":"failed","selfTestChecks":{"sip":{"ok":false}}}',
  );
  await writeFile(envFile, `BRANCHLINE_HTTP_PORT=${failing.port}\n`);
  assert.equal((await apply(root, bundleV2)).code, 0);
  try {
    const r = await run(path.join(fw, 'mark-good.sh'), ['--root', root, '--env-file', envFile]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /self-test did not pass/);
  } finally {
    await failing.close();
  }
  const healthy = await healthServer(200);
  await writeFile(envFile, `BRANCHLINE_HTTP_PORT=${healthy.port}\n`);
  try {
    const r = await run(path.join(fw, 'mark-good.sh'), ['--root', root, '--env-file', envFile]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(healthy.hits, ['/healthz?selftest=1', '/']);
  } finally {
    await healthy.close();
  }
  assert.match(await readFile(path.join(root, 'state', 'good'), 'utf8'), /slot=b\nversion=2\.0\.0/);
});

test('mark-good.sh bound to one LAN address probes from loopback, so the redirect of LAN clients to HTTPS does not fail the update', async () => {
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  assert.ok(lan, 'this machine has a non-loopback IPv4 address');
  const peers: string[] = [];
  // As the appliance does with BRANCHLINE_BIND set to a LAN address: non-loopback peers get 308.
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    peers.push(peer);
    if (!/^(127\.|::ffff:127\.)/.test(peer)) {
      res.writeHead(308, { location: `https://${lan}:8443${req.url}` }).end();
      return;
    }
    res.end(
      req.url === '/'
        ? '<!doctype html><html><body>console</body></html>'
        : '{"status":"ok","selftest":"passed","checks":{"stores":{"ok":true}}}',
    );
  });
  await new Promise<void>((r) => server.listen(0, lan, r));
  const { port } = server.address() as AddressInfo;
  const envFile = path.join(tmp, 'branchline-lan.env');
  await writeFile(envFile, `BRANCHLINE_BIND=${lan}\nBRANCHLINE_HTTP_PORT=${port}\n`);
  const root = await freshRoot('ab-lan-bind');
  assert.equal((await apply(root, bundleV2)).code, 0);
  try {
    const r = await run(path.join(fw, 'mark-good.sh'), ['--root', root, '--env-file', envFile]);
    assert.equal(r.code, 0, r.out);
    assert.equal(peers.length, 2, 'healthz and the console were probed');
    for (const p of peers) assert.match(p, /^(::ffff:)?127\./);
  } finally {
    await new Promise((r) => server.close(() => r(undefined)));
  }
  assert.match(await readFile(path.join(root, 'state', 'good'), 'utf8'), /slot=b/);
});

test('rollback.sh restores the previous slot after the deadline, and the boot guard after max boots', async () => {
  const timed = await freshRoot('ab-deadline');
  assert.equal((await apply(timed, bundleV2, '--deadline', '0')).code, 0);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await run(path.join(fw, 'rollback.sh'), ['--root', timed])).code, 0);
  assert.equal(await current(timed), 'slots/a');

  const booted = await freshRoot('ab-boots');
  assert.equal((await apply(booted, bundleV2, '--max-boots', '1')).code, 0);
  await run(path.join(fw, 'rollback.sh'), ['--boot', '--root', booted]);
  assert.equal(await current(booted), 'slots/b', 'first boot of the update is allowed');
  assert.match(await readFile(path.join(booted, 'state', 'pending'), 'utf8'), /boots=1/);
  await run(path.join(fw, 'rollback.sh'), ['--boot', '--root', booted]);
  assert.equal(await current(booted), 'slots/a', 'second unconfirmed boot rolls back');
  assert.equal(existsSync(path.join(booted, 'state', 'pending')), false);
});

test('factory-reset.sh erases the data dir only with its confirmation flag and never a system dir', async () => {
  const data = path.join(tmp, 'factory-data');
  await mkdir(path.join(data, 'keys'), { recursive: true });
  await writeFile(path.join(data, 'keys', 'root.key'), 'secret');
  const script = path.join(fw, 'factory-reset.sh');
  assert.equal((await run(script, ['--data-dir', data])).code, 2);
  assert.ok(existsSync(path.join(data, 'keys', 'root.key')));
  assert.notEqual((await run(script, ['--yes-erase-all-data', '--data-dir', '/usr'])).code, 0);
  assert.equal((await run(script, ['--yes-erase-all-data', '--data-dir', data])).code, 0);
  assert.deepEqual(await readdir(data), []);
});

test('build-image.sh lays out slot a, the tools, units and the CLI link in one archive', async () => {
  const out = path.join(tmp, 'image.tar.gz');
  const r = await run(path.join(fw, 'build-image.sh'), ['--out', out, '--no-npm', '--version', '3.1.4']);
  assert.equal(r.code, 0, r.out);
  const list = (await execFile('tar', ['-tzvf', out], { maxBuffer: 64 << 20 })).stdout;
  for (const p of [
    './opt/branchline/slots/a/VERSION',
    './opt/branchline/current -> slots/a',
    './opt/branchline/tools/apply-update.sh',
    './opt/branchline/tools/lib/ab.sh',
    './opt/branchline/tools/console-screen.sh',
    './etc/systemd/system/multi-user.target.wants/branchline-console-screen.service -> ../branchline-console-screen.service',
    './opt/branchline/state/good',
    './etc/systemd/system/branchline.service',
    './etc/systemd/system/branchline-backup.timer',
    './etc/systemd/system/multi-user.target.wants/branchline.service -> ../branchline.service',
    './usr/lib/sysusers.d/branchline.conf',
    './usr/local/bin/branchline -> /opt/branchline/current/bin/branchline.mjs',
  ]) {
    assert.ok(list.includes(p), `image holds ${p}`);
  }
  assert.equal(/\.key$|\/private\/|\.test\.ts$/m.test(list), false, 'no keys or tests in the image');
});
