// SIP interop and abuse handling against a real appliance process: Debian's sipp 3.6.1
// and baresip 1.0.0 register (digest challenges per account, RFC 8760), an account
// requiring SHA-256 refuses an MD5 answer, and (below) floods, the block list and trunks.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { TESTDATA } from './voice-support/e2e.ts';
import { run, sipRequest, udpExchange } from './voice-support/util.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let auditor: ApiClient;
let sip: { host: string; port: number };
const children: ChildProcess[] = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

before(async () => {
  tmp = await tempDataDir('bl-sip-interop-');
  work = await tempDataDir('bl-sip-interop-work-');
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SIP_TRUNKS: 'carrier=127.0.0.1', BRANCHLINE_HTTPS: 'off' },
  });
  admin = (await bootstrapAdmin(app)).admin;
  // A reader of the trail (the auditor role itself must enrol MFA first).
  ok(
    await admin.request('POST', '/api/roles', {
      id: 'sip-trail-reader',
      description: 'reads the audit trail',
      permissions: ['audit.read'],
    }),
    201,
  );
  auditor = (await createSignedInUser(admin, 'sip.trail', ['sip-trail-reader'], 'sip trail password 1'))
    .client;
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  sip = { host: '127.0.0.1', port: status.json['sip'].port as number };
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

async function account(username: string, extra: Record<string, unknown> = {}) {
  const r = await admin.request('POST', '/api/voice/sip-accounts', {
    username,
    password: `${username}-secret-pass`,
    ...extra,
  });
  ok(r, 201);
  return r.json['account'] as { username: string; digestAlgorithms: string[] };
}

async function registered(username: string): Promise<boolean> {
  const r = await admin.request('GET', '/api/voice/sip-accounts');
  return (r.json['accounts'] as Array<{ username: string; registered: boolean }>).some(
    (a) => a.username === username && a.registered,
  );
}

/** A sipp REGISTER: unauthenticated as `challengeAs`, then `[authentication]` as `user`; expects `final`. */
function registerScenario(o: { challengeAs: string; user: string; password: string; final: number }): string {
  const msg = (cseq: number, who: string, auth: string) => `
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:${who}@[remote_ip]>;tag=[pid]SIPpTag[call_number]
      To: <sip:${who}@[remote_ip]>
      Call-ID: [call_id]
      CSeq: ${cseq} REGISTER
      Contact: <sip:${who}@[local_ip]:[local_port]>
      ${auth}
      Max-Forwards: 70
      Expires: 300
      Content-Length: 0

    ]]>
  </send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="register">${msg(1, o.challengeAs, '')}
  <recv response="401" auth="true"/>${msg(2, o.user, `[authentication username=${o.user} password=${o.password}]`)}
  <recv response="${o.final}"/>
</scenario>
`;
}

async function sipp(name: string, scenario: string, from = '127.0.0.1'): Promise<void> {
  const file = join(work.dir, `${name}.xml`);
  await writeFile(file, scenario);
  await run(
    'sipp',
    [
      ...[`${sip.host}:${sip.port}`, '-sf', file, '-m', '1', '-i', from, '-p', String(await freePort())],
      ...['-timeout', '20s', '-timeout_error', '-nostdin', '-trace_err'],
    ],
    { cwd: work.dir },
  );
}

test('sipp 3.6.1 registers with digest against the appliance and the API shows the phone registered', {
  timeout: 60_000,
}, async () => {
  const a = await account('sipp-phone');
  assert.deepEqual(a.digestAlgorithms, ['MD5']);
  const challenge = await udpExchange(
    '127.0.0.1',
    sip,
    sipRequest('REGISTER', 'sip:127.0.0.1', { user: 'sipp-phone' }),
  );
  assert.deepEqual(
    [...(challenge ?? '').matchAll(/^WWW-Authenticate: .*algorithm=([\w-]+)/gim)].map((m) => m[1]),
    ['MD5'],
    'an account offers MD5 unless set otherwise',
  );
  assert.equal(await registered('sipp-phone'), false);
  await sipp(
    'sipp-register',
    registerScenario({
      challengeAs: 'sipp-phone',
      user: 'sipp-phone',
      password: 'sipp-phone-secret-pass',
      final: 200,
    }),
  );
  assert.equal(await registered('sipp-phone'), true);
});

test('baresip 1.0.0 registers with digest against the appliance and the API shows the phone registered', {
  timeout: 60_000,
}, async () => {
  await account('baresip-phone');
  const cfg = join(work.dir, 'baresip');
  await mkdir(cfg, { recursive: true });
  await writeFile(
    join(cfg, 'config'),
    [
      `sip_listen 127.0.0.1:${await freePort()}`,
      'net_interface 127.0.0.1',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module_app account.so',
      'audio_source aufile,/dev/null',
      'audio_player aufile,/dev/null',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(cfg, 'accounts'),
    `<sip:baresip-phone@127.0.0.1:${sip.port}>;auth_pass=baresip-phone-secret-pass;regint=300\n`,
  );
  let out = '';
  const child = spawn('baresip', ['-f', cfg, '-t', '40'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  try {
    await until('baresip to register', async () => ((await registered('baresip-phone')) ? true : undefined), {
      timeoutMs: 20_000,
      everyMs: 200,
    }).catch((e: Error) => {
      throw new Error(`${e.message}; baresip said: ${out.slice(-600)}`);
    });
    assert.match(out, /baresip-phone@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('an account requiring SHA-256 is challenged with SHA-256 only and refuses a correct MD5 answer (sipp)', {
  timeout: 60_000,
}, async () => {
  const a = await account('strict-phone', { digestAlgorithms: ['SHA-256'] });
  assert.deepEqual(a.digestAlgorithms, ['SHA-256']);
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'twice',
      password: 'twice-secret-pass',
      digestAlgorithms: ['MD5', 'MD5'],
    }),
    400,
  );
  const challenge = await udpExchange(
    '127.0.0.1',
    sip,
    sipRequest('REGISTER', 'sip:127.0.0.1', { user: 'strict-phone' }),
  );
  assert.deepEqual(
    [...(challenge ?? '').matchAll(/^WWW-Authenticate: .*algorithm=([\w-]+)/gim)].map((m) => m[1]),
    ['SHA-256'],
  );
  // sipp computes only MD5: it takes a nonce from an MD5 challenge (an ordinary account's)
  // and answers it, with the right password, as the strict account.
  await sipp(
    'sipp-md5-refused',
    registerScenario({
      challengeAs: 'sipp-phone',
      user: 'strict-phone',
      password: 'strict-phone-secret-pass',
      final: 403,
    }),
  );
  assert.equal(await registered('strict-phone'), false);
});

interface Blocked {
  source: string;
  reason: string;
  requests: number;
}

async function blockedSources(): Promise<Blocked[]> {
  const r = await admin.request('GET', '/api/voice/blocked-sources');
  ok(r, 200);
  return r.json['sources'] as Blocked[];
}

/**
 * A REGISTER flood over UDP from `from`, in batches, until the appliance lists the source
 * blocked (loopback may drop datagrams under load, so the count sent is not the count seen).
 */
async function floodUntilBlocked(from: string): Promise<{ sock: Socket; sent: number }> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, from, r));
  let sent = 0;
  const batch = () => {
    for (let i = 0; i < 50; i++, sent++)
      sock.send(sipRequest('REGISTER', 'sip:127.0.0.1', { user: `scan${sent}` }), sip.port, sip.host);
  };
  await until(
    `${from} to be listed as blocked`,
    async () => {
      batch();
      return (await blockedSources()).find((b) => b.source === from);
    },
    { timeoutMs: 20_000, everyMs: 20 },
  );
  return { sock, sent };
}

async function auditRecords(action: string, source: string) {
  const r = await auditor.request('GET', `/api/audit?action=${action}&limit=500`);
  ok(r, 200);
  return (r.json['records'] as Array<{ actor?: string; details: Record<string, unknown> }>).filter(
    (x) => x.details['source'] === source,
  );
}

test('a REGISTER flood blocks its source with exactly one audit record; the admin lists and releases it, then the phone registers', {
  timeout: 90_000,
}, async () => {
  const flooder = '127.0.0.7';
  const { sock, sent } = await floodUntilBlocked(flooder);
  try {
    const listed = (await blockedSources()).find((b) => b.source === flooder);
    assert.equal(listed?.reason, 'flood');
    assert.ok((listed?.requests ?? 0) > 200, `blocked after ${listed?.requests} requests (${sent} sent)`);
    // The flood goes on while blocked: dropped, and no further records.
    for (let i = 0; i < 300; i++) sock.send(sipRequest('OPTIONS', 'sip:127.0.0.1'), sip.port, sip.host);
    const probe = await udpExchange(flooder, sip, sipRequest('OPTIONS', 'sip:127.0.0.1'), 1500);
    assert.equal(probe, undefined, 'a blocked source gets no answer');
    const records = await auditRecords('sip.source_blocked', flooder);
    assert.equal(records.length, 1, JSON.stringify(records));
    assert.equal(records[0]?.details['reason'], 'flood');
  } finally {
    sock.close();
  }
  const wrong = await admin.request('DELETE', '/api/voice/blocked-sources/not-an-ip');
  ok(wrong, 400);
  ok(await admin.request('DELETE', `/api/voice/blocked-sources/${flooder}`), 204);
  assert.equal(
    (await blockedSources()).some((b) => b.source === flooder),
    false,
  );
  const again = await admin.request('DELETE', `/api/voice/blocked-sources/${flooder}`);
  ok(again, 404);
  assert.equal(again.json['error'].code, 'VOICE_SOURCE_NOT_BLOCKED');
  const released = await auditRecords('sip.source_released', flooder);
  assert.equal(released.length, 1);
  assert.ok(released[0]?.actor, 'the release names the admin who did it');
  // The released address registers again (a real phone: sipp from that address).
  await sipp(
    'sipp-after-release',
    registerScenario({
      challengeAs: 'sipp-phone',
      user: 'sipp-phone',
      password: 'sipp-phone-secret-pass',
      final: 200,
    }),
    flooder,
  );
});

test('with the anonymous budget of a trunk address exhausted, a trunk INVITE from it is still answered', {
  timeout: 90_000,
}, async () => {
  const trunk = '127.0.0.1';
  const { sock } = await floodUntilBlocked(trunk);
  sock.close();
  assert.equal((await blockedSources()).find((b) => b.source === trunk)?.reason, 'flood');
  const refused = await udpExchange(
    trunk,
    sip,
    sipRequest('REGISTER', 'sip:127.0.0.1', { user: 'sipp-phone' }),
    1500,
  );
  assert.equal(refused, undefined, 'anonymous traffic from the trunk address is dropped');
  // A short trunk call (INVITE, 200, ACK, BYE) from sipp on the configured trunk address.
  const call = (await readFile(join(TESTDATA, 'trunk-call.xml'), 'utf8'))
    .replace(/<nop>[\s\S]*?<\/nop>/, '')
    .replace(/<pause milliseconds="\d+"\/>/, '<pause milliseconds="200"/>');
  await sipp('trunk-call-short', call, trunk);
  ok(await admin.request('DELETE', `/api/voice/blocked-sources/${trunk}`), 204);
});
