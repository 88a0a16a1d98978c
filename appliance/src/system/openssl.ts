import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { SystemError } from './errors.ts';

/**
 * OpenSSL invocations shared with certs/make-local-ca.sh (kept in step by hand):
 * EC P-256 keys, a CA valid 10 years, leaf certificates valid 825 days (the most
 * browsers accept). Arguments go through execFile, never a shell.
 */
export const CA_DAYS = 3650;
export const LEAF_DAYS = 825;

export function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (err, _out, stderr) => {
      if (err) reject(new SystemError('SYSTEM_TLS_FAILED', `openssl ${args[0]} failed: ${stderr.trim()}`));
      else resolve();
    });
  });
}

const DNS_NAME =
  /^(?=.{1,253}$)(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Validates hostnames/IPs strictly: they are written into an OpenSSL config file. */
export function subjectAltNames(hosts: readonly string[]): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1']);
  for (const host of hosts) {
    if (isIP(host)) names.add(`IP:${host}`);
    else if (DNS_NAME.test(host)) names.add(`DNS:${host.toLowerCase()}`);
    else throw new TypeError(`Cannot issue certificate: invalid host name ${JSON.stringify(host)}`);
  }
  return [...names].join(',');
}

export function config(cn: string, san: string): string {
  return `[req]
distinguished_name = dn
prompt = no
[dn]
O = Branchline
CN = ${cn}
[v3_ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${san}
`;
}

/** A private key file that is 0600 before OpenSSL writes a byte into it. */
export async function genKey(file: string): Promise<void> {
  await writeFile(file, '', { mode: 0o600 });
  await chmod(file, 0o600);
  await run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

export function serial(): string {
  // Positive 128-bit serial: high nibble fixed so the DER integer never turns negative.
  return `0x1${randomBytes(15).toString('hex')}`;
}
