// Encrypted calls on the LAN (issue 15) against a real appliance process: Debian's
// baresip 1.0.0 as a desk phone and as the carrier, both with mandatory SDES-SRTP
// over SIP TLS (CA = the appliance's local CA). The carrier's call runs the IVR,
// is queued, the agent accepts and their SRTP-required desk phone is rung; both
// legs carry audio (the recording's two channels hold the two tones) and the
// per-leg stats show SRTP with no authentication failure. Plain RTP from an
// SRTP-required account or trunk is refused with 488.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';
import { consoleSocket, routeAllTo, stereo, voiceAgentProfile } from './voice-support/e2e.ts';
import { run } from './voice-support/util.ts';

let app: RunningAppliance;
let tmp: { dir: string; cleanup: () => Promise<void> };
let work: { dir: string; cleanup: () => Promise<void> };
let admin: ApiClient;
let tlsPort: number;
const children: ChildProcess[] = [];
const closers: Array<() => void> = [];

const ok = (r: { status: number; json: unknown }, status: number) =>
  assert.equal(r.status, status, JSON.stringify(r.json));

/** Straight to the queue: the carrier does not press keys. */
const FLOW = {
  id: 'inbound',
  name: 'SRTP IVR',
  language: 'en',
  start: 'queue',
  nodes: { queue: { type: 'enqueue', queue: 'sales' } },
};

before(async () => {
  tmp = await tempDataDir('bl-srtp-');
  work = await tempDataDir('bl-srtp-work-');
  tlsPort = await freePort();
  app = await startAppliance(tmp.dir, {
    env: {
      BRANCHLINE_SIP_TRUNKS: 'carrier=127.0.0.1',
      BRANCHLINE_HTTPS: 'off',
      BRANCHLINE_SIP_PORT: String(await freePort()),
      BRANCHLINE_SIP_TLS_PORT: String(tlsPort),
      BRANCHLINE_SRTP_ALARM_THRESHOLD: '5',
      BRANCHLINE_DIALOUT_PREFIXES: '+86',
    },
  });
  admin = (await bootstrapAdmin(app)).admin;
  // 8 kHz mono 16-bit tones baresip's aufile source plays: 300 Hz from the carrier, 700 Hz from the desk phone.
  for (const [name, hz] of [
    ['carrier', 300],
    ['desk', 700],
  ] as const) {
    await run(
      'sox',
      ['-n', '-r', '8000', '-c', '1', '-b', '16', join(work.dir, `${name}.wav`)].concat([
        'synth',
        '40',
        'sine',
        String(hz),
        'vol',
        '0.5',
      ]),
    );
  }
});
after(async () => {
  for (const c of closers) c();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await app?.stop();
  await tmp?.cleanup();
  await work?.cleanup();
});

/** A baresip instance over TLS: `account` is its accounts line; `dial` places one call. */
async function baresip(
  name: string,
  o: {
    account: string;
    wav?: string;
    dial?: string;
    seconds?: number;
    listen?: number;
    certificate?: string;
  },
) {
  const cfg = join(work.dir, name);
  await mkdir(cfg, { recursive: true });
  await writeFile(
    join(cfg, 'config'),
    [
      `sip_listen 127.0.0.1:${o.listen ?? (await freePort())}`,
      ...(o.certificate ? [`sip_certificate ${o.certificate}`] : []),
      `sip_cafile ${join(tmp.dir, 'tls', 'ca.crt')}`,
      'net_interface 127.0.0.1',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module srtp.so',
      'module_app account.so',
      'module_app menu.so',
      `audio_source aufile,${o.wav ?? '/dev/null'}`,
      'audio_player aufile,/dev/null',
      '',
    ].join('\n'),
  );
  await writeFile(join(cfg, 'accounts'), `${o.account}\n`);
  const args = ['-f', cfg, '-t', String(o.seconds ?? 60)];
  if (o.dial) args.push('-e', `/dial ${o.dial}`);
  const child = spawn('baresip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, out: () => out };
}

async function registered(username: string): Promise<true | undefined> {
  const r = await admin.request('GET', '/api/voice/sip-accounts');
  return (r.json['accounts'] as Array<{ username: string; registered: boolean }>).some(
    (a) => a.username === username && a.registered,
  )
    ? true
    : undefined;
}

/** Zero crossings per second ≈ twice the tone's frequency. */
function toneHz(x: Int16Array): number {
  let z = 0;
  for (let i = 1; i < x.length; i++) if ((x[i - 1] ?? 0) < 0 !== (x[i] ?? 0) < 0) z++;
  return z / 2 / (x.length / 8000);
}

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

test('a carrier call with SRTP over TLS reaches an agent whose SRTP-required desk phone (baresip) answers; both legs carry audio, recorded, with SRTP stats', {
  timeout: 150_000,
}, async () => {
  await routeAllTo(admin, { id: 'sales', name: 'Sales' }, FLOW);
  // The status reports every SIP listener, TLS included.
  const status = await admin.request('GET', '/api/voice/status');
  ok(status, 200);
  assert.equal(status.json['sip'].tlsPort, tlsPort);
  assert.equal(typeof status.json['sip'].tcpPort, 'number');
  const carrierPort = await freePort();
  ok(
    await admin.request('PUT', '/api/voice/trunks', {
      name: 'carrier',
      host: '127.0.0.1',
      port: carrierPort,
      transport: 'tls',
      username: 'carrier',
      password: 'carrier-secret',
      register: false,
      srtp: 'required',
    }),
    200,
  );
  const trunks = await admin.request('GET', '/api/voice/trunks');
  assert.equal(trunks.json['trunks'][0].srtp, 'required');

  const agent = await createSignedInUser(admin, 'srtp.a', ['agent'], 'agent password srtp a');
  await voiceAgentProfile(admin, agent.userId);
  const created = await admin.request('POST', '/api/voice/sip-accounts', {
    username: 'desk-srtp',
    password: 'desk-phone-srtp-secret',
    userId: agent.userId,
    srtp: 'required',
  });
  ok(created, 201);
  assert.equal(created.json['account'].srtp, 'required');

  const desk = await baresip('desk', {
    account: `<sip:desk-srtp@127.0.0.1:${tlsPort};transport=tls>;auth_pass=desk-phone-srtp-secret;answermode=auto;mediaenc=srtp-mand;regint=300`,
    wav: join(work.dir, 'desk.wav'),
    seconds: 120,
  });
  await until('the desk phone to register over TLS', () => registered('desk-srtp'), {
    timeoutMs: 20_000,
    everyMs: 200,
  }).catch((e: Error) => {
    throw new Error(`${e.message}; baresip said: ${desk.out().slice(-800)}`);
  });
  assert.match(desk.out(), /desk-srtp@127\.0\.0\.1: \{0\/TLS\/v4\} 200 OK/);

  const socket = await consoleSocket(app.httpPort, agent.client);
  closers.push(socket.close);
  ok(await agent.client.request('PUT', '/api/routing/me/state', { state: 'available' }), 200);

  const carrier = await baresip('carrier', {
    account: `<sip:carrier@127.0.0.1;transport=tls>;regint=0;mediaenc=srtp-mand`,
    wav: join(work.dir, 'carrier.wav'),
    dial: `sip:4000@127.0.0.1:${tlsPort};transport=tls`,
    seconds: 120,
  });
  const offer = await until(
    'the offer to reach the agent',
    () => socket.seen.find((m) => m.event?.type === 'routing.offer_created')?.event,
    { timeoutMs: 30_000, everyMs: 100 },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; carrier said: ${carrier.out().slice(-800)}`);
  });
  ok(await agent.client.request('POST', `/api/routing/offers/${offer.data['offerId']}/accept`), 200);
  const call = await until(
    'the desk phone to answer',
    async () => {
      const r = await admin.request('GET', '/api/voice/calls');
      return (r.json['calls'] as Array<Record<string, string>>).find(
        (c) => c['agentUserId'] === agent.userId && c['state'] === 'bridged',
      );
    },
    { timeoutMs: 20_000, everyMs: 100 },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; desk said: ${desk.out().slice(-800)}`);
  });
  // Three seconds of audio each way through both SRTP legs.
  const stats = await until(
    'media on both legs',
    async () => {
      const r = await admin.request('GET', `/api/voice/calls/${call['id']}/stats`);
      const legs = r.json['legs'] as Record<string, { packetsIn: number }>;
      return (legs['customer']?.packetsIn ?? 0) > 150 && (legs['agent']?.packetsIn ?? 0) > 150
        ? (r.json['legs'] as Record<
            string,
            {
              packetsIn: number;
              packetsOut: number;
              srtp?: { suite: string; authFailures: number; replays: number };
            }
          >)
        : undefined;
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  for (const leg of ['customer', 'agent'] as const) {
    const s = stats[leg];
    assert.ok(s?.srtp, `${leg} leg is SRTP`);
    assert.equal(s.srtp.suite, 'AES_CM_128_HMAC_SHA1_80');
    // Plain RTP cannot pass the HMAC: every packet counted in was genuine SRTP from baresip.
    assert.equal(s.srtp.authFailures, 0, `${leg}: no authentication failure`);
    assert.equal(s.srtp.replays, 0);
    assert.ok(s.packetsOut > 100, `${leg}: we send to it`);
  }
  assert.match(desk.out(), /srtp/i);

  // The carrier hangs up (baresip sends BYE when it quits on SIGTERM).
  carrier.child.kill('SIGTERM');
  const rec = await until(
    'the recording to finish',
    async () => {
      const list = await admin.request('GET', '/api/voice/recordings');
      return (list.json['recordings'] as Array<Record<string, unknown>>).find(
        (r) =>
          r['callId'] === call['id'] && (r['legs'] as string[]).length === 2 && r['status'] === 'complete',
      );
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  assert.equal(rec['truncated'], false);
  // The appliance BYEs the desk phone's leg over its TLS connection, with a TLS Contact.
  await until(
    'the desk phone to end its call on our BYE',
    () => (/Call with sip:ivr@[^ ]+ terminated/.test(desk.out()) ? true : undefined),
    { timeoutMs: 10_000, everyMs: 100 },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; desk said: ${desk.out().slice(-1500)}`);
  });
  const wav = await fetch(`${app.base}/api/voice/recordings/${call['id']}/wav`, {
    headers: { cookie: admin.cookie },
  });
  assert.equal(wav.status, 200);
  const { channels, left, right } = stereo(Buffer.from(await wav.arrayBuffer()));
  assert.equal(channels, 2);
  // Only the bridged part: the tones; recordings hear decrypted audio (SRTP is below them).
  const l = left.filter((v) => v !== 0);
  const r = right.filter((v) => v !== 0);
  assert.ok(rms(l) > 1000, `customer channel carries audio (rms ${rms(l).toFixed(0)})`);
  assert.ok(rms(r) > 1000, `agent channel carries audio (rms ${rms(r).toFixed(0)})`);
  const lHz = toneHz(l.subarray(l.length - 16000));
  const rHz = toneHz(r.subarray(r.length - 16000));
  assert.ok(Math.abs(lHz - 300) < 60, `customer channel is the carrier's 300 Hz tone (${lHz.toFixed(0)} Hz)`);
  assert.ok(
    Math.abs(rHz - 700) < 100,
    `agent channel is the desk phone's 700 Hz tone (${rHz.toFixed(0)} Hz)`,
  );
  assert.doesNotMatch(app.stdout() + app.stderr(), /inline:[A-Za-z0-9+/]{20,}/, 'no SRTP key in the logs');
  desk.child.kill('SIGKILL');
});

test('plain RTP from an SRTP-required phone account and from an SRTP-required trunk is refused with 488 VOICE_SRTP_REQUIRED', {
  timeout: 90_000,
}, async () => {
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'plain-phone',
      password: 'plain-phone-secret-1',
      srtp: 'required',
      allowOutbound: true,
    }),
    201,
  );
  const phone = await baresip('plain-phone', {
    account: `<sip:plain-phone@127.0.0.1:${tlsPort};transport=tls>;auth_pass=plain-phone-secret-1;regint=300`,
    dial: `sip:+8613800138000@127.0.0.1:${tlsPort};transport=tls`,
    seconds: 30,
  });
  await until(
    'the plain phone to be refused',
    () => (/488 Not Acceptable Here/.test(phone.out()) ? true : undefined),
    { timeoutMs: 20_000, everyMs: 100 },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; baresip said: ${phone.out().slice(-800)}`);
  });
  phone.child.kill('SIGKILL');

  // The carrier trunk is SRTP-required (first test): a plain offer from it is refused too.
  const carrier = await baresip('carrier-plain', {
    account: '<sip:carrier@127.0.0.1;transport=tls>;regint=0',
    dial: `sip:4000@127.0.0.1:${tlsPort};transport=tls`,
    seconds: 30,
  });
  await until(
    'the plain carrier to be refused',
    () => (/488 Not Acceptable Here/.test(carrier.out()) ? true : undefined),
    { timeoutMs: 20_000, everyMs: 100 },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; baresip said: ${carrier.out().slice(-800)}`);
  });
  carrier.child.kill('SIGKILL');
  const logs = app.stdout() + app.stderr();
  assert.equal(
    (logs.match(/srtp negotiation refused \[code:VOICE_SRTP_REQUIRED/g) ?? []).length,
    2,
    'one coded log line per refusal',
  );
  const calls = await admin.request('GET', '/api/voice/calls');
  assert.equal((calls.json['calls'] as unknown[]).length, 0, 'no call was set up');
});

test('an agent dials out from an SRTP-required desk phone through an SRTP-required TLS trunk (baresip carrier): both legs SRTP, audio both ways', {
  timeout: 120_000,
}, async () => {
  // The carrier answers TLS with a certificate from the appliance's CA (its own server pair, test only).
  const certificate = join(work.dir, 'carrier-tls.pem');
  await writeFile(
    certificate,
    (await readFile(join(tmp.dir, 'tls', 'server.crt'), 'utf8')) +
      (await readFile(join(tmp.dir, 'tls', 'private', 'server.key'), 'utf8')),
  );
  const listen = await freePort();
  const carrier = await baresip('carrier-uas', {
    account: '<sip:+8613800138000@127.0.0.1;transport=tls>;regint=0;answermode=auto;mediaenc=srtp-mand',
    wav: join(work.dir, 'carrier.wav'),
    listen,
    certificate,
    seconds: 90,
  });
  // baresip listens for TLS one port above sip_listen.
  ok(
    await admin.request('PUT', '/api/voice/trunks', {
      name: 'carrier',
      host: '127.0.0.1',
      port: listen + 1,
      transport: 'tls',
      username: 'carrier',
      password: 'carrier-secret',
      register: false,
      srtp: 'required',
    }),
    200,
  );
  const agent = await createSignedInUser(admin, 'srtp.b', ['agent'], 'agent password srtp b');
  ok(
    await admin.request('POST', '/api/voice/sip-accounts', {
      username: 'desk-out',
      password: 'desk-out-srtp-secret',
      userId: agent.userId,
      srtp: 'required',
    }),
    201,
  );
  const desk = await baresip('desk-out', {
    account: `<sip:desk-out@127.0.0.1:${tlsPort};transport=tls>;auth_pass=desk-out-srtp-secret;answermode=auto;mediaenc=srtp-mand;regint=300`,
    wav: join(work.dir, 'desk.wav'),
    seconds: 90,
  });
  await until('the desk phone to register over TLS', () => registered('desk-out'), {
    timeoutMs: 20_000,
    everyMs: 200,
  });
  const dialled = await agent.client.request('POST', '/api/voice/calls', { to: '+8613800138000' });
  if (dialled.status !== 201)
    throw new Error(
      `dial: ${dialled.status} ${JSON.stringify(dialled.json)}; carrier said: ${carrier.out().slice(-600)}; appliance: ${app.stdout().slice(-600)}`,
    );
  const callId = dialled.json['callId'] as string;
  const stats = await until(
    'media on both legs',
    async () => {
      const r = await admin.request('GET', `/api/voice/calls/${callId}/stats`);
      const legs = r.json['legs'] as Record<
        string,
        { packetsIn: number; srtp?: { suite: string; authFailures: number; replays: number } }
      >;
      return (legs['customer']?.packetsIn ?? 0) > 100 && (legs['agent']?.packetsIn ?? 0) > 100
        ? legs
        : undefined;
    },
    { timeoutMs: 20_000, everyMs: 250 },
  );
  for (const leg of ['customer', 'agent'] as const) {
    assert.equal(stats[leg]?.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80', `${leg} leg is SRTP`);
    assert.equal(stats[leg]?.srtp?.authFailures, 0);
  }
  // The admin's test call to the same SRTP-required phone is SRTP too: answered means its key was accepted.
  const probe = await admin.request('POST', '/api/voice/sip-accounts/desk-out/test-call', {});
  ok(probe, 200);
  assert.equal(probe.json['answered'], true);
  carrier.child.kill('SIGKILL');
  desk.child.kill('SIGKILL');
});
