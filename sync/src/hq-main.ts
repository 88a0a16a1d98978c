// `npm run hq`: the embedded HQ — pouchdb-server stand-in for CouchDB, the
// optional mTLS front, and the HQ console (operator sign-in). Reads its own BRANCHLINE_HQ_* variables.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HqConsole } from './hq/console.ts';
import { startHqCouch } from './hq/couch.ts';
import { startMtlsProxy } from './hq/mtls-proxy.ts';

const env = process.env;
const dataDir = path.resolve(env['BRANCHLINE_HQ_DATA_DIR'] || './var/hq');
const port = Number(env['BRANCHLINE_HQ_PORT'] || 5984);
const consolePort = Number(env['BRANCHLINE_HQ_CONSOLE_PORT'] || 0);
const consoleBind = env['BRANCHLINE_HQ_CONSOLE_BIND'] || '127.0.0.1';
const tlsDir = env['BRANCHLINE_HQ_TLS_DIR'];
// The session cookie is Secure: browsers accept it over plain HTTP on loopback only.
if (!tlsDir && !/^(127\.|::1$|localhost$)/.test(consoleBind)) {
  console.error(
    `BRANCHLINE_HQ_CONSOLE_BIND=${consoleBind} needs BRANCHLINE_HQ_TLS_DIR (HTTPS) for its Secure cookie`,
  );
  process.exit(2);
}

// Every database needs a branch's own credentials; the console opens them in-process.
const couch = await startHqCouch({ dataDir, port, auth: true });
// What join bundles tell branches: BRANCHLINE_HQ_PUBLIC_URL (as branches reach HQ), else the local port;
// an https one pins HQ's CA (<tls dir>/ca.crt).
const publicUrl = (env['BRANCHLINE_HQ_PUBLIC_URL'] || couch.url).replace(/\/+$/, '');
const hqConsole = new HqConsole(couch, dataDir, {
  link: {
    hqUrl: publicUrl,
    ...(tlsDir && publicUrl.startsWith('https:')
      ? { caPem: readFileSync(path.join(tlsDir, 'ca.crt'), 'utf8') }
      : {}),
  },
});
// HQ's control and sealing keys; the public half is in <dataDir>/hq-public-keys.json.
await hqConsole.keys();
const initial = await hqConsole.ensureInitialOperator();
if (initial) {
  // Shown once; also in the 0600 file until the operator replaces it at first sign-in.
  console.log(`hq first run: operator "${initial.username}" one-time password: ${initial.password}`);
  console.log(`(also written to ${initial.file})`);
}
const cport = await hqConsole.listen(consolePort, consoleBind, {
  ...(tlsDir
    ? {
        tls: {
          cert: readFileSync(path.join(tlsDir, 'server.crt')),
          key: readFileSync(path.join(tlsDir, 'private', 'server.key')),
        },
      }
    : {}),
});
// Registered branches get HQ's document rules before their first push.
for (const b of (env['BRANCHLINE_HQ_BRANCHES'] ?? '').split(',').filter(Boolean))
  await hqConsole.enrolBranch(b.trim());
// The audit witness runs every minute for every branch (its key is pinned on first use).
const witnessTimer = setInterval(() => {
  for (const b of hqConsole.branches())
    void hqConsole.verifyBranch(b).catch((err) => console.error('witness', b, err));
}, 60_000);
witnessTimer.unref();
const tls = tlsDir
  ? await startMtlsProxy({
      caFile: path.join(tlsDir, 'ca.crt'),
      certFile: path.join(tlsDir, 'server.crt'),
      keyFile: path.join(tlsDir, 'private', 'server.key'),
      upstreamPort: couch.port,
      port: Number(env['BRANCHLINE_HQ_TLS_PORT'] || 6984),
    })
  : undefined;
const scheme = tlsDir ? 'https' : 'http';
console.log(
  `hq ready couch=${couch.url} console=${scheme}://${consoleBind}:${cport}${tls ? ` mtls=${tls.port}` : ''}`,
);

const stop = async () => {
  clearInterval(witnessTimer);
  await tls?.close();
  await hqConsole.close();
  await couch.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
