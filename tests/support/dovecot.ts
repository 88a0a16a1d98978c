import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { portOpen } from './daemon.ts';
import { freePort } from './ports.ts';
import { until } from './until.ts';

// A real IMAP server for tests: Debian's dovecot (package dovecot-imapd) with a
// private config in a temp dir, plain IMAP on 127.0.0.1, one passwd-file user
// and a Maildir. The packaged system service is never used: own base_dir, own port.

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): Promise<string>;
}

function dovecotBinary(): string {
  // /usr/sbin is often missing from a non-root PATH.
  if (existsSync('/usr/sbin/dovecot')) return '/usr/sbin/dovecot';
  try {
    return execFileSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'dovecot is not installed: the IMAP tests need a real IMAP server. ' +
        'Install it with `apt-get install -y dovecot-imapd` (or firmware-scripts/install-system-deps.sh --test)',
    );
  }
}

/** Starts dovecot on a free loopback port with user `agent`. */
export async function startDovecot(options: { password?: string } = {}): Promise<Dovecot> {
  const bin = dovecotBinary();
  const dir = await mkdtemp(join(tmpdir(), 'bl-imap-'));
  const port = await freePort();
  const password = options.password ?? 'imap-test-secret';
  const me = userInfo();
  const root = me.uid === 0;
  // Dovecot refuses mail access as uid 0, so as root the mailbox belongs to `nobody`
  // and the privileged helpers run as the package's own users.
  const mailUid = root ? 65534 : me.uid;
  const mailGid = root ? 65534 : me.gid;
  const home = join(dir, 'home');
  await mkdir(join(dir, 'run'), { recursive: true });
  await mkdir(join(dir, 'state'), { recursive: true });
  await mkdir(home, { recursive: true });
  if (root) {
    await chmod(dir, 0o755);
    await chown(home, mailUid, mailGid);
  }
  await writeFile(join(dir, 'passwd'), `agent:{PLAIN}${password}:${mailUid}:${mailGid}::${home}::\n`);
  const conf = [
    `base_dir = ${join(dir, 'run')}`,
    `state_dir = ${join(dir, 'state')}`,
    `instance_name = bl-imap-${port}`,
    'protocols = imap',
    'listen = 127.0.0.1',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    `log_path = ${join(dir, 'dovecot.log')}`,
    `first_valid_uid = ${Math.min(mailUid, 500)}`,
    ...(root
      ? []
      : [
          `default_internal_user = ${me.username}`,
          `default_internal_group = ${execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim()}`,
          `default_login_user = ${me.username}`,
        ]),
    `mail_location = maildir:${join(home, 'Maildir')}`,
    'namespace inbox {',
    '  inbox = yes',
    '  mailbox Processed {',
    '    auto = create',
    '  }',
    '}',
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN ${join(dir, 'passwd')}\n}`,
    `userdb {\n  driver = passwd-file\n  args = ${join(dir, 'passwd')}\n}`,
    // Only root may chroot.
    ...(root ? [] : ['service anvil {\n  chroot =\n}']),
    'service imap-login {',
    ...(root ? [] : ['  chroot =']),
    `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }`,
    '  inet_listener imaps {\n    port = 0\n  }',
    '}',
    'service pop3-login {\n  inet_listener pop3 {\n    port = 0\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}',
    'service submission-login {\n  inet_listener submission {\n    port = 0\n  }\n}',
    'service lmtp {\n  unix_listener lmtp {\n    mode = 0600\n  }\n}',
    '',
  ].join('\n');
  const confPath = join(dir, 'dovecot.conf');
  await writeFile(confPath, conf);
  const child: ChildProcess = spawn(bin, ['-F', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const log = async () => output + (await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => ''));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await until(
      'dovecot to listen',
      async () => {
        if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}: ${await log()}`);
        return (await portOpen(port)) ? true : undefined;
      },
      { timeoutMs: 15_000, everyMs: 100 },
    );
  } catch (err) {
    const text = await log();
    await stop();
    throw new Error(`${(err as Error).message}\n${text}`);
  }
  return { port, user: 'agent', password, stop, log };
}
