import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';
import { until } from './until.ts';

// Debian's OpenLDAP slapd in a temp dir: a slapd.conf written here (mdb database,
// ppolicy overlay so `pwdAccountLockedTime` locks an account), TLS from the PEM
// files given (ldaps:// and ldap:// with StartTLS on two loopback ports).

const SLAPD = '/usr/sbin/slapd';
const run = promisify(execFile);

export const SUFFIX = 'dc=branch,dc=example';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PW = 'slapd root secret';

export interface SlapdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface Slapd {
  /** ldaps:// port. */
  ldapsPort: number;
  /** ldap:// port (StartTLS). */
  ldapPort: number;
  dir: string;
  /** Applies LDIF as the root DN: `ldapadd` (add) or `ldapmodify`. */
  ldif(text: string, op?: 'add' | 'modify'): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startSlapd(tls: SlapdTls): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), 'bl-slapd-'));
  await mkdir(join(dir, 'db'));
  const ldapsPort = await freePort();
  const ldapPort = await freePort();
  const conf = [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'include /etc/ldap/schema/nis.schema',
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'moduleload ppolicy',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `TLSCACertificateFile ${tls.caFile}`,
    `TLSCertificateFile ${tls.certFile}`,
    `TLSCertificateKeyFile ${tls.keyFile}`,
    'database mdb',
    'maxsize 104857600',
    `suffix "${SUFFIX}"`,
    `rootdn "${ROOT_DN}"`,
    `rootpw "${ROOT_PW}"`,
    `directory ${join(dir, 'db')}`,
    'overlay ppolicy',
    `ppolicy_default "cn=default,ou=policies,${SUFFIX}"`,
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by * read',
  ].join('\n');
  await writeFile(join(dir, 'slapd.conf'), `${conf}\n`);
  let proc: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    const p = spawn(
      SLAPD,
      [
        '-f',
        join(dir, 'slapd.conf'),
        '-h',
        `ldaps://127.0.0.1:${ldapsPort}/ ldap://127.0.0.1:${ldapPort}/`,
        '-d',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc = p;
    p.stdout?.on('data', (d) => {
      output += d;
    });
    p.stderr?.on('data', (d) => {
      output += d;
    });
    await until(`slapd listening on ${ldapsPort}`, async () => {
      if (p.exitCode !== null) throw new Error(`slapd exited (${p.exitCode}): ${output}`);
      return (await portOpen(ldapsPort)) && (await portOpen(ldapPort)) ? true : undefined;
    });
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  await start();
  const ldif = async (text: string, op: 'add' | 'modify' = 'add') => {
    const file = join(dir, `op-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
    await writeFile(file, text);
    await run(op === 'add' ? 'ldapadd' : 'ldapmodify', [
      '-x',
      '-H',
      `ldap://127.0.0.1:${ldapPort}/`,
      '-D',
      ROOT_DN,
      '-w',
      ROOT_PW,
      '-f',
      file,
    ]);
  };
  let cleaned = false;
  return {
    ldapsPort,
    ldapPort,
    dir,
    ldif,
    start,
    stop,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
