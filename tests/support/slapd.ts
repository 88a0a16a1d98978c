import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { foregroundDaemon } from './daemon.ts';
import { freePort } from './ports.ts';

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
  const daemon = foregroundDaemon(
    'slapd',
    SLAPD,
    [
      '-f',
      join(dir, 'slapd.conf'),
      '-h',
      `ldaps://127.0.0.1:${ldapsPort}/ ldap://127.0.0.1:${ldapPort}/`,
      '-d',
      '0',
    ],
    [ldapsPort, ldapPort],
  );
  const { start, stop } = daemon;
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
