// The appliance image as delivered: build-image.sh --disk (or its cache) booted under
// QEMU (TCG, no KVM here), headless, kernel console to test-artifacts/image-qemu-boot/.
// From the host, through user-mode networking: systemd started branchline.service,
// /healthz answers 200 over HTTPS with a certificate for the VM's LAN address and host
// name, plain HTTP redirects, the console loads. Then a signed update whose slot fails
// its health check is applied inside the VM and mark-good.sh rolls back to slot A.
// Commands run in the VM through the test-only root shell on the second serial port
// (build-image.sh --test-shell + kernel flag branchline.testshell=1).
// Slow: a cold build (mmdebstrap) is several minutes, a boot under TCG a few more.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './support/appliance.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';

const execFileP = promisify(execFile);
const FW = path.join(ROOT, 'firmware-scripts');
const CACHE = process.env['BRANCHLINE_CACHE_DIR'] ?? '/var/cache/branchline';
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'image-qemu-boot');
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  cert: X509Certificate | undefined;
}

/** One HTTPS GET to the forwarded port; `ca` pins the appliance's CA (else no verification). */
function httpsGet(
  port: number,
  pathname: string,
  opts: { ca?: string; servername?: string } = {},
): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        timeout: 30_000,
        ...(opts.ca
          ? { ca: opts.ca, servername: opts.servername, headers: { host: opts.servername } }
          : { rejectUnauthorized: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            cert: peer,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** One HTTPS POST of JSON to the forwarded port (no verification: the CA is checked apart). */
function httpsPostJson(
  port: number,
  pathname: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        method: 'POST',
        timeout: 30_000,
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

/** The root shell on the VM's second serial port (QEMU's TCP server). */
class SerialShell {
  private buf = '';
  private n = 0;
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
    });
  }

  static async open(port: number): Promise<SerialShell> {
    const sock = await until(
      'the serial port',
      () =>
        new Promise<Socket | undefined>((resolve) => {
          const s = connect(port, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', () => resolve(undefined));
        }),
      { timeoutMs: 30_000, everyMs: 200 },
    );
    return new SerialShell(sock);
  }

  /** Waits until the shell unit is up (it starts late in boot). */
  async ready(timeoutMs: number): Promise<void> {
    await until(
      'the test shell on ttyS1',
      async () => {
        if (this.buf.includes('@@READY@@')) return true;
        this.sock.write(`echo "@@RE""ADY@@"\n`);
        await new Promise((r) => setTimeout(r, 2000));
        return this.buf.includes('@@READY@@') ? true : undefined;
      },
      { timeoutMs, everyMs: 0 },
    );
    // Drains the echoes still queued from the polling above.
    await this.run('true');
  }

  /** Runs one command line; resolves with its output and exit status. */
  async run(cmd: string, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
    const id = ++this.n;
    const start = this.buf.length;
    // stderr too (the shell's own goes to the journal); the marker is split in the
    // command so only its output matches.
    this.sock.write(`{\n${cmd}\n} 2>&1\necho "@@DO""NE-${id}:$?@@"\n`);
    const re = new RegExp(`@@DONE-${id}:(\\d+)@@`);
    const m = await until(
      `"${cmd.slice(0, 60)}" in the VM`,
      () => re.exec(this.buf.slice(start)) ?? undefined,
      {
        timeoutMs,
        everyMs: 100,
      },
    );
    return { code: Number(m[1]), out: this.buf.slice(start, start + m.index).trim() };
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A slot that starts, tells systemd it is ready, and fails its health check. */
async function brokenSlot(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'appliance/src'), { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    '{ "name": "branchline", "version": "9.9.9", "private": true, "type": "module" }\n',
  );
  // tsx (branchline.service's --import) comes from slot a: this release ships none.
  await symlink('/opt/branchline/slots/a/node_modules', path.join(dir, 'node_modules'));
  await writeFile(
    path.join(dir, 'appliance/src/main.ts'),
    `// A deliberately broken release: up, but /healthz says down.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  res.writeHead(req.url?.startsWith('/healthz') ? 503 : 500, { 'content-type': 'application/json' });
  res.end('{"status":"down","reason":"broken release for the rollback test"}');
});
server.listen(Number(process.env.BRANCHLINE_HTTP_PORT ?? 8080), '127.0.0.1', () => {
  execFileSync('systemd-notify', ['--ready']);
  setInterval(() => execFileSync('systemd-notify', ['WATCHDOG=1']), 10_000);
});
`,
  );
}

test('the appliance image boots under QEMU, serves the console on the LAN with TLS, and rolls back a failing update', {
  timeout: 60 * 60_000,
}, async (t) => {
  assert.ok(
    existsSync('/usr/bin/qemu-system-x86_64'),
    'qemu-system-x86_64 is missing: run firmware-scripts/install-system-deps.sh --test',
  );
  assert.equal(process.getuid?.(), 0, 'build-image.sh --disk needs root (mmdebstrap, file ownership)');
  await mkdir(ARTIFACTS, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), 'bl-qemu-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));

  // The update key pair lives in the cache beside the image, so the image (which pins
  // the public key) stays cached across runs.
  const keyDir = path.join(CACHE, 'image', 'test-update-key');
  if (!existsSync(path.join(keyDir, 'update-signing.pub.pem'))) {
    await execFileP('bash', [path.join(FW, 'make-update.sh'), 'keygen', keyDir]);
  }

  const disk = path.join(work, 'disk.raw');
  const buildStart = Date.now();
  const build = await execFileP(
    'bash',
    [
      path.join(FW, 'build-image.sh'),
      '--disk',
      disk,
      '--test-shell',
      '--pubkey',
      path.join(keyDir, 'update-signing.pub.pem'),
    ],
    { maxBuffer: 256 << 20, timeout: 45 * 60_000 },
  );
  const buildS = Math.round((Date.now() - buildStart) / 1000);
  await writeFile(path.join(ARTIFACTS, 'build.log'), build.stderr);
  t.diagnostic(`image build (or cache copy): ${buildS} s`);

  const [httpsPort, httpPort, serialPort] = [await freePort(), await freePort(), await freePort()];
  const consoleLog = path.join(ARTIFACTS, 'console.log');
  await rm(consoleLog, { force: true });
  const bootStart = Date.now();
  const qemu: ChildProcess = spawn(
    'qemu-system-x86_64',
    [
      ...['-accel', 'tcg', '-nographic', '-m', '2048', '-smp', '2', '-no-reboot', '-monitor', 'none'],
      ...['-kernel', `${disk}.vmlinuz`, '-initrd', `${disk}.initrd`],
      ...['-append', 'root=/dev/vda rw console=ttyS0 branchline.testshell=1'],
      ...['-drive', `file=${disk},format=raw,if=virtio`],
      ...[
        '-netdev',
        `user,id=lan,hostfwd=tcp:127.0.0.1:${httpsPort}-:443,hostfwd=tcp:127.0.0.1:${httpPort}-:80`,
      ],
      ...['-device', 'virtio-net-pci,netdev=lan'],
      ...['-serial', `file:${consoleLog}`, '-serial', `tcp:127.0.0.1:${serialPort},server=on,wait=off`],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let qemuOut = '';
  qemu.stdout?.on('data', (d) => {
    qemuOut += d;
  });
  qemu.stderr?.on('data', (d) => {
    qemuOut += d;
  });
  cleanups.push(async () => {
    if (qemu.exitCode === null) {
      qemu.kill('SIGKILL');
      await new Promise((r) => qemu.once('exit', r));
    }
  });
  const alive = () => {
    if (qemu.exitCode !== null) throw new Error(`qemu exited (${qemu.exitCode}): ${qemuOut.slice(-2000)}`);
  };

  // 1. Boot: /healthz 200 over HTTPS from the host.
  const health = await until(
    'https /healthz 200 from the VM',
    async () => {
      alive();
      const r = await httpsGet(httpsPort, '/healthz').catch(() => undefined);
      return r?.status === 200 ? r : undefined;
    },
    { timeoutMs: 25 * 60_000, everyMs: 2000 },
  );
  const bootS = Math.round((Date.now() - bootStart) / 1000);
  t.diagnostic(`boot to /healthz 200 under TCG: ${bootS} s`);
  assert.match(health.body.toString(), /"status":"(ok|degraded)"/);

  const shell = await SerialShell.open(serialPort);
  cleanups.push(async () => shell.close());
  await shell.ready(5 * 60_000);
  const active = await shell.run('systemctl is-active branchline.service');
  assert.equal(active.out, 'active', 'systemd runs branchline.service');
  // The serial console stops showing unit status once boot finishes (the appliance's
  // first start under TCG outlasts it), so systemd's own record is read from the journal.
  const started = await shell.run(
    "journalctl -b -u branchline.service -o cat | grep -m1 '^Started branchline.service'",
  );
  assert.equal(started.code, 0, `systemd logged the start: ${started.out}`);
  assert.match(
    await readFile(consoleLog, 'utf8'),
    /Linux version/,
    'the kernel console is kept as an artifact',
  );

  // 2. On the LAN, safely: the CA from the login page's link names the VM's address and host name.
  const ca = await httpsGet(httpsPort, '/ca.crt');
  assert.equal(ca.status, 200);
  const caPem = ca.body.toString();
  assert.match(caPem, /^-----BEGIN CERTIFICATE-----/);
  const lanIp = (await shell.run("ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1")).out;
  assert.match(lanIp, /^10\.0\.2\.\d+$/, 'the VM has its user-mode network address');
  const pinned = await until(
    'a certificate naming the LAN address',
    async () => {
      const r = await httpsGet(httpsPort, '/healthz', { ca: caPem, servername: 'branchline' }).catch(
        () => undefined,
      );
      return r?.cert?.checkIP(lanIp) ? r : undefined;
    },
    { timeoutMs: 3 * 60_000, everyMs: 2000 },
  );
  assert.equal(pinned.status, 200, 'TLS verifies against the downloaded CA for host name "branchline"');
  const redirect = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    const req = connect(httpPort, '127.0.0.1', () => {
      req.write('GET /healthz HTTP/1.1\r\nHost: branchline\r\nConnection: close\r\n\r\n');
    });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
    });
    req.on('end', () =>
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0),
        location: /^location: (.*)\r$/im.exec(text)?.[1],
      }),
    );
    req.on('error', reject);
  });
  assert.deepEqual(redirect, { status: 308, location: 'https://branchline/healthz' }, 'HTTP only redirects');

  // 3. The console loads: HTML and one of its hashed JS assets.
  const page = await httpsGet(httpsPort, '/');
  assert.equal(page.status, 200);
  const html = page.body.toString();
  assert.match(html, /<html/i);
  const js = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
  assert.ok(js, `the console page references a script: ${html.slice(0, 400)}`);
  const asset = await httpsGet(httpsPort, js);
  assert.equal(asset.status, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);
  assert.ok(asset.body.length > 1000, 'the script has content');

  // 3b. A way in at the box: the local console screen (on /dev/console, the serial port
  // here) shows the console's address, the CA fingerprint and the one-time admin
  // password, with which the admin signs in over the LAN.
  const screen = await until(
    'the local console screen with the one-time password',
    async () => {
      const text = await readFile(consoleLog, 'utf8');
      const pw = /First sign-in: user admin, one-time password: (\S+)/.exec(text)?.[1];
      const fp = /Local CA SHA-256 fingerprint[^\n]*\n\s+([0-9A-F:]{95})/.exec(text)?.[1];
      return pw && fp && text.includes(`Console: https://${lanIp}/`) ? { pw, fp } : undefined;
    },
    { timeoutMs: 3 * 60_000, everyMs: 2000 },
  );
  assert.equal(
    screen.fp,
    new X509Certificate(caPem).fingerprint256,
    'the screen shows the CA served to browsers',
  );
  const signIn = await httpsPostJson(httpsPort, '/api/auth/login', {
    username: 'admin',
    password: screen.pw,
  });
  assert.equal(
    signIn.status,
    200,
    `the one-time password from the screen signs in: ${JSON.stringify(signIn.json)}`,
  );
  assert.equal((signIn.json as { mustChangePassword?: boolean }).mustChangePassword, true);

  // 4. A signed update with a failing health check rolls back to slot A.
  const slot = path.join(work, 'broken-slot');
  await brokenSlot(slot);
  const bundle = path.join(work, 'broken.blup');
  await execFileP('bash', [
    path.join(FW, 'make-update.sh'),
    'build',
    ...[
      '--version',
      '9.9.9',
      '--payload',
      slot,
      '--key',
      path.join(keyDir, 'update-signing.key'),
      '--out',
      bundle,
    ],
  ]);
  const b64 = (await readFile(bundle)).toString('base64').replace(/.{76}/g, '$&\n');
  const put = await shell.run(`base64 -d >/root/update.blup <<'B64'\n${b64}\nB64`);
  assert.equal(put.code, 0, put.out);
  const applied = await shell.run(
    '/opt/branchline/tools/apply-update.sh /root/update.blup --restart-unit branchline.service',
    15 * 60_000,
  );
  assert.equal(applied.code, 0, `apply-update.sh: ${applied.out}`);
  assert.equal((await shell.run('readlink /opt/branchline/current')).out, 'slots/b');
  // What branchline-update-confirm.service runs, with a shorter window than its 300 s.
  const confirm = await shell.run(
    '/opt/branchline/tools/mark-good.sh --env-file /etc/branchline/branchline.env --wait 30 --rollback-on-failure --restart-unit branchline.service',
    25 * 60_000,
  );
  assert.equal(confirm.code, 1, `mark-good.sh refuses the broken release: ${confirm.out}`);
  assert.match(confirm.out, /health check failed/);
  assert.equal(
    (await shell.run('readlink /opt/branchline/current')).out,
    'slots/a',
    'current -> slots/a again',
  );
  const last = await shell.run('cat /opt/branchline/state/last-rollback');
  assert.equal(last.code, 0, 'state/last-rollback was written');
  assert.match(last.out, /9\.9\.9|slot=b|from=b/);
  assert.equal((await shell.run('test -e /opt/branchline/state/pending')).code, 1, 'nothing pending');
  const again = await until(
    '/healthz 200 after the rollback',
    async () => {
      alive();
      const r = await httpsGet(httpsPort, '/healthz', { ca: caPem, servername: 'branchline' }).catch(
        () => undefined,
      );
      return r?.status === 200 ? r : undefined;
    },
    { timeoutMs: 15 * 60_000, everyMs: 2000 },
  );
  assert.match(again.body.toString(), /"version":"0\.1\.0"/, 'slot A (0.1.0) answers again');
  await writeFile(
    path.join(ARTIFACTS, 'timings.json'),
    `${JSON.stringify({ buildS, bootS, totalS: Math.round((Date.now() - buildStart) / 1000) })}\n`,
  );
});
