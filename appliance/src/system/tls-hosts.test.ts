import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { networkInterfaces } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setLogSink } from '../logging/index.ts';
import { ensureTlsMaterial, isLoopbackBind, tlsHostsFor } from './index.ts';

type Ifaces = ReturnType<typeof networkInterfaces>;
const v4 = (address: string, internal = false) =>
  ({
    address,
    family: 'IPv4',
    internal,
    netmask: '255.255.255.0',
    mac: '00:00:00:00:00:00',
    cidr: null,
  }) as const;
const v6 = (address: string) =>
  ({
    address,
    family: 'IPv6',
    internal: false,
    netmask: 'ffff::',
    mac: '00:00:00:00:00:00',
    cidr: null,
    scopeid: 0,
  }) as const;
const machine: { interfaces: Ifaces; hostname: string } = {
  hostname: 'Branch-07',
  interfaces: {
    lo: [v4('127.0.0.1', true)],
    eth0: [v4('192.168.10.20'), v6('fe80::1'), v6('fd00::20')],
    wlan0: [v4('10.9.8.7')],
  },
};

test('tlsHostsFor(): none on loopback, host name + listened-on LAN addresses otherwise', () => {
  assert.equal(isLoopbackBind('127.0.0.1'), true);
  assert.equal(isLoopbackBind('0.0.0.0'), false);
  assert.deepEqual(tlsHostsFor('127.0.0.1', machine), []);
  assert.deepEqual(tlsHostsFor('::1', machine), []);
  assert.deepEqual(tlsHostsFor('0.0.0.0', machine), ['branch-07', '10.9.8.7', '192.168.10.20']);
  assert.deepEqual(tlsHostsFor('::', machine), ['branch-07', '10.9.8.7', '192.168.10.20', 'fd00::20']);
  assert.deepEqual(tlsHostsFor('192.168.10.20', machine), ['branch-07', '192.168.10.20']);
  // A host name that cannot go into a certificate is left out, never written into openssl's config.
  assert.deepEqual(tlsHostsFor('0.0.0.0', { ...machine, hostname: 'bad name;x' }), [
    '10.9.8.7',
    '192.168.10.20',
  ]);
});

test('the server certificate names a given non-loopback address and the host name, and is reissued when they change', async () => {
  setLogSink(() => {});
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bl-tls-hosts-'));
  try {
    const first = await ensureTlsMaterial(dir, { hosts: tlsHostsFor('0.0.0.0', machine) });
    const cert = new X509Certificate(first.cert);
    assert.equal(cert.checkIP('192.168.10.20'), '192.168.10.20');
    assert.equal(cert.checkIP('10.9.8.7'), '10.9.8.7');
    assert.equal(cert.checkHost('branch-07'), 'branch-07');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkIP('10.9.8.8'), undefined);
    const same = await ensureTlsMaterial(dir, { hosts: tlsHostsFor('0.0.0.0', machine) });
    assert.equal(same.issued, false, 'same names: the certificate is kept');
    const moved = { ...machine, interfaces: { ...machine.interfaces, wlan0: [v4('10.9.8.99')] } };
    const next = await ensureTlsMaterial(dir, { hosts: tlsHostsFor('0.0.0.0', moved) });
    assert.equal(next.issued, true, 'a new LAN address: reissued');
    assert.equal(new X509Certificate(next.cert).checkIP('10.9.8.99'), '10.9.8.99');
    assert.equal(next.ca, first.ca, 'by the same local CA');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
