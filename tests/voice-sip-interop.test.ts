// SIP interop and abuse handling against a real appliance process: Debian's sipp 3.6.1
// and baresip 1.0.0 register (digest challenges per account, RFC 8760), an account
// requiring SHA-256 refuses an MD5 answer, and (below) floods, the block list and trunks.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { run, sipRequest, udpExchange } from './voice-support/util.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
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
