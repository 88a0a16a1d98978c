import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { createLogger } from '../logging/index.ts';
import { CA_DAYS, config, genKey, LEAF_DAYS, run, serial, subjectAltNames } from './openssl.ts';

const log = createLogger('system');
const DAY_MS = 86_400_000;

export interface TlsMaterial {
  keyPath: string;
  certPath: string;
  caPath: string;
  key: string;
  cert: string;
  ca: string;
  notAfter: Date;
  /** True when this call issued a new server certificate. */
  issued: boolean;
}

export interface TlsOptions {
  /** Extra DNS names / IPs besides localhost and 127.0.0.1. */
  hosts?: readonly string[];
  /** Reissue the server certificate when it expires within this many days (default 30). */
  renewBeforeDays?: number;
  now?: Date;
}

async function readOr(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/** Reads a PEM certificate's `notAfter`, for the certificate-expiry job. */
export async function readCertificateExpiry(certPath: string): Promise<Date> {
  return new Date(new X509Certificate(await readFile(certPath)).validTo);
}

function serverIsUsable(
  pem: string,
  keyPem: string,
  ca: X509Certificate,
  opts: Required<TlsOptions>,
): boolean {
  const cert = new X509Certificate(pem);
  const renewAt = opts.now.getTime() + opts.renewBeforeDays * DAY_MS;
  const coversHosts = ['localhost', '127.0.0.1', ...opts.hosts].every((h) =>
    isIP(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h) !== undefined,
  );
  return (
    coversHosts &&
    new Date(cert.validTo).getTime() > renewAt &&
    cert.checkIssued(ca) &&
    cert.verify(ca.publicKey) &&
    cert.checkPrivateKey(createPrivateKey(keyPem))
  );
}

/**
 * Makes sure `<dataDir>/tls/` holds a local CA and a server certificate for
 * localhost, 127.0.0.1 and `hosts`; creates or reissues what is missing, expiring
 * or no longer matching. Private keys live in `tls/private/` with mode 0600.
 * @example
 * const tls = await ensureTlsMaterial(cfg.dataDir, { hosts: ['branch-01.lan'] });
 * https.createServer({ key: tls.key, cert: tls.cert }, handler);
 */
export async function ensureTlsMaterial(dataDir: string, options: TlsOptions = {}): Promise<TlsMaterial> {
  const opts: Required<TlsOptions> = {
    hosts: options.hosts ?? [],
    renewBeforeDays: options.renewBeforeDays ?? 30,
    now: options.now ?? new Date(),
  };
  const san = subjectAltNames(opts.hosts);
  const dir = path.join(dataDir, 'tls');
  const priv = path.join(dir, 'private');
  await mkdir(priv, { recursive: true, mode: 0o700 });
  const caPath = path.join(dir, 'ca.crt');
  const caKeyPath = path.join(priv, 'ca.key');
  const certPath = path.join(dir, 'server.crt');
  const keyPath = path.join(priv, 'server.key');
  const cnf = path.join(priv, 'openssl.cnf');

  let caPem = await readOr(caPath);
  const caKeyExists = (await readOr(caKeyPath)) !== undefined;
  try {
    if (!caPem || !caKeyExists) {
      await writeFile(cnf, config('Branchline Local CA', san), { mode: 0o600 });
      await genKey(caKeyPath);
      const tmp = `${caPath}.tmp`;
      await run(
        ['req', '-x509', '-new', '-config', cnf, '-extensions', 'v3_ca', '-key', caKeyPath].concat([
          '-sha256',
          '-days',
          String(CA_DAYS),
          '-set_serial',
          serial(),
          '-out',
          tmp,
        ]),
      );
      await rename(tmp, caPath);
      caPem = await readFile(caPath, 'utf8');
      log.info('local CA created');
    }
    const ca = new X509Certificate(caPem);
    const [pem, keyPem] = [await readOr(certPath), await readOr(keyPath)];
    if (pem && keyPem && serverIsUsable(pem, keyPem, ca, opts)) {
      return material({ keyPath, certPath, caPath, key: keyPem, cert: pem, ca: caPem, issued: false });
    }
    await writeFile(cnf, config(opts.hosts[0] ?? 'localhost', san), { mode: 0o600 });
    const [newKey, csr, newCert] = [`${keyPath}.tmp`, path.join(priv, 'server.csr'), `${certPath}.tmp`];
    await genKey(newKey);
    await run(['req', '-new', '-config', cnf, '-key', newKey, '-out', csr]);
    await run(
      ['x509', '-req', '-in', csr, '-CA', caPath, '-CAkey', caKeyPath, '-set_serial', serial()].concat([
        '-days',
        String(LEAF_DAYS),
        '-sha256',
        '-extfile',
        cnf,
        '-extensions',
        'v3_server',
        '-out',
        newCert,
      ]),
    );
    await rename(newKey, keyPath);
    await rename(newCert, certPath);
    await rm(csr, { force: true });
    log.info('server certificate issued', { san });
    return material({
      keyPath,
      certPath,
      caPath,
      key: await readFile(keyPath, 'utf8'),
      cert: await readFile(certPath, 'utf8'),
      ca: caPem,
      issued: true,
    });
  } finally {
    await rm(cnf, { force: true });
  }
}

function material(m: Omit<TlsMaterial, 'notAfter'>): TlsMaterial {
  return { ...m, notAfter: new Date(new X509Certificate(m.cert).validTo) };
}
