import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  HqConsole,
  type HqCouch,
  type MtlsProxy,
  openRemote,
  startHqCouch,
  startMtlsProxy,
} from '../sync/src/index.ts';
import { ROOT, type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import { waitFor } from './support/sync-fixture.ts';

const SCRIPT = path.join(ROOT, 'certs/make-local-ca.sh');
let tmp: string;
let hq: HqCouch;
let hqConsole: HqConsole;
let proxy: MtlsProxy;
let app: RunningAppliance;
let cleanup: () => Promise<void>;

function certs(...args: string[]): void {
  execFileSync('bash', [SCRIPT, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bl-hq-mtls-'));
  const tls = path.join(tmp, 'hq-tls');
  // HQ: one CA issues the server certificate and the branch client certificates.
  certs('server', tls);
  const branch = await tempDataDir();
  cleanup = branch.cleanup;
  const syncDir = path.join(branch.dir, 'sync');
  certs('hq-client', tls, 'M1', syncDir);
  copyFileSync(path.join(tls, 'ca.crt'), path.join(syncDir, 'hq-ca.crt'));
  // Another CA issuing a certificate that claims the same branch.
  certs('hq-client', path.join(tmp, 'rogue-ca'), 'M1', path.join(tmp, 'rogue'));

  hq = await startHqCouch({ dataDir: path.join(tmp, 'hq') });
  hqConsole = new HqConsole(hq, path.join(tmp, 'hq'));
  proxy = await startMtlsProxy({
    caFile: path.join(tls, 'ca.crt'),
    certFile: path.join(tls, 'server.crt'),
    keyFile: path.join(tls, 'private', 'server.key'),
    upstreamPort: hq.port,
  });
  app = await startAppliance(branch.dir, {
    env: {
      BRANCHLINE_HQ_URL: `https://127.0.0.1:${proxy.port}`,
      BRANCHLINE_BRANCH_ID: 'M1',
      BRANCHLINE_HTTPS: 'off',
    },
  });
});

after(async () => {
  await app?.stop();
  await proxy?.close();
  await hqConsole?.close();
  await hq?.close();
  await cleanup?.();
  await rm(tmp, { recursive: true, force: true });
});

/** One HTTPS request to the proxy; resolves the status or the error code. */
function attempt(options: https.RequestOptions, body?: string): Promise<string> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        ca: readFileSync(path.join(tmp, 'hq-tls', 'ca.crt')),
        ...options,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(`status ${res.statusCode}`));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
    req.end(body);
  });
}

test('a real branch replicates to HQ through the mTLS proxy with its HQ-issued client certificate', async () => {
  const { admin } = await bootstrapAdmin(app);
  await admin.request('POST', '/api/customers', { name: 'mTLS customer' });
  assert.ok(
    await waitFor(async () => (await hq.db('b-M1-audit').info()).doc_count > 0, 30_000, 250),
    'branch audit records reached HQ',
  );
  assert.ok(proxy.stats.branches.has('M1'), 'the proxy saw branch M1 by its certificate SAN');
  assert.ok(
    await waitFor(
      async () =>
        (await hq
          .db('b-M1-status')
          .get('status')
          .catch(() => undefined)) !== undefined,
      15_000,
    ),
    'the status doc reached HQ',
  );
  const view = await hqConsole.branchView('M1');
  assert.equal(view.health, 'ok');
  assert.ok(view.kpis.auditRecords > 0, 'HQ counts the branch audit volume');

  // The branch console's view of the same replication.
  let status:
    | {
        enabled?: boolean;
        hqUrl?: string;
        replications?: Array<{
          name: string;
          hqReachable: boolean;
          hqUpdateSeq?: unknown;
          pendingDocs: number;
        }>;
      }
    | undefined;
  const caughtUp = await waitFor(
    async () => {
      status = (await admin.request('GET', '/api/sync/status')).json as typeof status;
      const audit = status?.replications?.find((r) => r.name === 'audit');
      return audit?.hqReachable === true && audit.hqUpdateSeq !== undefined && audit.pendingDocs === 0;
    },
    20_000,
    500,
  );
  assert.ok(caughtUp, `audit replication caught up: ${JSON.stringify(status)}`);
  assert.equal(status?.enabled, true);
  assert.equal(status?.replications?.length, 5);
  assert.equal(status?.hqUrl, `https://127.0.0.1:${proxy.port}`);
});

test('clients without a certificate or with one from another CA are refused at the TLS layer and write nothing', async () => {
  const refusedBefore = proxy.stats.tlsRefused;
  const doc = JSON.stringify({ intruder: true });
  const put = {
    method: 'PUT',
    path: '/b-M1-tickets/intruder',
    headers: { 'content-type': 'application/json' },
  };
  const bare = await attempt(put, doc);
  const rogue = await attempt(
    {
      ...put,
      cert: readFileSync(path.join(tmp, 'rogue', 'branch-M1.crt')),
      key: readFileSync(path.join(tmp, 'rogue', 'private', 'branch-M1.key')),
    },
    doc,
  );
  assert.match(bare, /^error /, `no certificate: ${bare}`);
  assert.match(rogue, /^error /, `foreign CA: ${rogue}`);
  // PouchDB replication with the foreign certificate gets no further.
  const agent = new https.Agent({
    cert: readFileSync(path.join(tmp, 'rogue', 'branch-M1.crt')),
    key: readFileSync(path.join(tmp, 'rogue', 'private', 'branch-M1.key')),
    ca: readFileSync(path.join(tmp, 'hq-tls', 'ca.crt')),
  });
  const remote = openRemote(`https://127.0.0.1:${proxy.port}/b-M1-tickets`, { agent });
  await assert.rejects(remote.put({ _id: 'intruder-2', intruder: true }));
  await remote.close().catch(() => undefined);
  agent.destroy();
  assert.ok(
    proxy.stats.tlsRefused >= refusedBefore + 3,
    `refused handshakes: ${proxy.stats.tlsRefused - refusedBefore}`,
  );
  for (const id of ['intruder', 'intruder-2']) {
    const got = await hq
      .db('b-M1-tickets')
      .get(id)
      .catch((err: { status?: number }) => err.status);
    assert.equal(got, 404, `${id} never reached HQ`);
  }
});
