import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './load.ts';

test('loadConfig() applies the operator-contract defaults', () => {
  const c = loadConfig({});
  assert.equal(c.httpPort, 8080);
  assert.equal(c.httpsPort, 8443);
  assert.equal(c.sipPort, 5060);
  assert.equal(c.smtpPort, 2525);
  assert.equal(c.hqPort, 5984);
  assert.equal(c.bind, '127.0.0.1');
  assert.equal(c.hqUrl, undefined);
  assert.equal(c.sessionIdleMinutes, 15);
  assert.ok(c.dataDir.endsWith('var/data'));
  assert.ok(Object.isFrozen(c));
});

test('loadConfig() rejects a bad port with a message naming the variable', () => {
  assert.throws(
    () => loadConfig({ BRANCHLINE_HTTP_PORT: 'eighty' }),
    (e: unknown) => {
      return e instanceof ConfigError && e.message.includes('BRANCHLINE_HTTP_PORT');
    },
  );
  assert.throws(() => loadConfig({ BRANCHLINE_SIP_PORT: '70000' }), /BRANCHLINE_SIP_PORT/);
});

test('loadConfig() rejects a non-http HQ URL and trims a trailing slash', () => {
  assert.throws(() => loadConfig({ BRANCHLINE_HQ_URL: 'ftp://x' }), /BRANCHLINE_HQ_URL/);
  assert.equal(loadConfig({ BRANCHLINE_HQ_URL: 'http://127.0.0.1:5984/' }).hqUrl, 'http://127.0.0.1:5984');
});

test('loadConfig() turns noise suppression on by default, off with BRANCHLINE_NOISE_SUPPRESSION=off, and rejects anything else', () => {
  assert.equal(loadConfig({}).noiseSuppression, true);
  assert.equal(loadConfig({ BRANCHLINE_NOISE_SUPPRESSION: 'off' }).noiseSuppression, false);
  assert.throws(() => loadConfig({ BRANCHLINE_NOISE_SUPPRESSION: 'yes' }), /BRANCHLINE_NOISE_SUPPRESSION/);
});

test('loadConfig() takes BRANCHLINE_TIMEZONE as an IANA zone, defaults to the server zone, and rejects an unknown one naming the variable', () => {
  assert.equal(loadConfig({ BRANCHLINE_TIMEZONE: 'Asia/Shanghai' }).timeZone, 'Asia/Shanghai');
  assert.equal(loadConfig({}).timeZone, new Intl.DateTimeFormat().resolvedOptions().timeZone);
  assert.throws(() => loadConfig({ BRANCHLINE_TIMEZONE: 'Mars/Olympus_Mons' }), /BRANCHLINE_TIMEZONE/);
});

test('loadConfig() reads BRANCHLINE_PHONE_REGION as an ISO region, defaults it from the time zone (CN when the zone names none), and rejects an unknown one naming the variable', () => {
  assert.equal(loadConfig({ BRANCHLINE_TIMEZONE: 'Asia/Shanghai' }).phoneRegion, 'CN');
  assert.equal(loadConfig({ BRANCHLINE_TIMEZONE: 'Asia/Hong_Kong' }).phoneRegion, 'HK');
  assert.equal(loadConfig({ BRANCHLINE_TIMEZONE: 'UTC' }).phoneRegion, 'CN');
  assert.equal(
    loadConfig({ BRANCHLINE_TIMEZONE: 'Asia/Shanghai', BRANCHLINE_PHONE_REGION: 'us' }).phoneRegion,
    'US',
  );
  assert.throws(() => loadConfig({ BRANCHLINE_PHONE_REGION: 'XX' }), /BRANCHLINE_PHONE_REGION/);
});

test('loadConfig() picks werift by default, mediasoup with BRANCHLINE_MEDIA_ENGINE=mediasoup, and rejects an unknown engine or a relative MEDIASOUP_WORKER_BIN', () => {
  const d = loadConfig({});
  assert.equal(d.mediaEngine, 'werift');
  assert.equal(d.mediasoupWorkerBin, undefined);
  assert.equal(d.cacheDir, '/var/cache/branchline');
  const m = loadConfig({
    BRANCHLINE_MEDIA_ENGINE: 'mediasoup',
    MEDIASOUP_WORKER_BIN: '/opt/ms/mediasoup-worker',
    BRANCHLINE_CACHE_DIR: '/tmp/c',
  });
  assert.equal(m.mediaEngine, 'mediasoup');
  assert.equal(m.mediasoupWorkerBin, '/opt/ms/mediasoup-worker');
  assert.equal(m.cacheDir, '/tmp/c');
  assert.throws(() => loadConfig({ BRANCHLINE_MEDIA_ENGINE: 'rtpengine' }), /BRANCHLINE_MEDIA_ENGINE/);
  assert.throws(() => loadConfig({ MEDIASOUP_WORKER_BIN: 'bin/worker' }), /MEDIASOUP_WORKER_BIN/);
});

test('loadConfig() reads BRANCHLINE_SIEM_URL as tls:// or tcp:// host:port with its CA and limits, and rejects anything else naming the variable', () => {
  assert.equal(loadConfig({}).siem, undefined);
  const t = loadConfig({
    BRANCHLINE_SIEM_URL: 'tls://siem.bank.lan:6514',
    BRANCHLINE_SIEM_CA: '/etc/ca.pem',
  });
  assert.deepEqual(t.siem, {
    transport: 'tls',
    host: 'siem.bank.lan',
    port: 6514,
    caFile: '/etc/ca.pem',
    backlogAlarm: 10_000,
    alarmAfterSeconds: 300,
    maxRate: 1000,
  });
  const p = loadConfig({ BRANCHLINE_SIEM_URL: 'tcp://[::1]:514', BRANCHLINE_SIEM_MAX_RATE: '20' });
  assert.equal(p.siem?.transport, 'tcp');
  assert.equal(p.siem?.host, '::1');
  assert.equal(p.siem?.maxRate, 20);
  for (const bad of [
    'udp://h:514',
    'tls://h',
    'https://h:6514',
    'tls://u:p@h:6514',
    'tls://h:6514/x',
    'nope',
  ]) {
    assert.throws(() => loadConfig({ BRANCHLINE_SIEM_URL: bad }), /BRANCHLINE_SIEM_URL/, bad);
  }
  assert.throws(
    () => loadConfig({ BRANCHLINE_SIEM_URL: 'tcp://h:514', BRANCHLINE_SIEM_CA: '/etc/ca.pem' }),
    /BRANCHLINE_SIEM_CA/,
  );
});
