import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveSettings } from './effective.ts';
import { loadConfig } from './load.ts';

const base = {
  BRANCHLINE_DIRECTORY_URL: 'ldaps://dc1.bank.lan:636',
  BRANCHLINE_DIRECTORY_BIND_DN: 'CN=svc-branchline,OU=Services,DC=bank,DC=lan',
  BRANCHLINE_DIRECTORY_BIND_PASSWORD: 'svc-secret-1',
  BRANCHLINE_DIRECTORY_BASE_DN: 'DC=bank,DC=lan',
};

test('loadConfig() leaves directory sign-in off by default and reads ldaps:// (implicit TLS) and ldap:// (StartTLS)', () => {
  assert.equal(loadConfig({}).directory, undefined);
  const d = loadConfig({ ...base, BRANCHLINE_DIRECTORY_CA: '/etc/bank-ca.pem' }).directory;
  assert.deepEqual(
    { ...d },
    {
      url: 'ldaps://dc1.bank.lan:636',
      startTls: false,
      bindDn: 'CN=svc-branchline,OU=Services,DC=bank,DC=lan',
      baseDn: 'DC=bank,DC=lan',
      userAttributes: ['sAMAccountName', 'uid', 'mail'],
      caFile: '/etc/bank-ca.pem',
      syncSeconds: 30,
    },
  );
  assert.equal(d?.bindPassword, 'svc-secret-1');
  assert.doesNotMatch(JSON.stringify(loadConfig(base)), /svc-secret-1/, 'the password is not enumerable');
  const s = loadConfig({
    ...base,
    BRANCHLINE_DIRECTORY_URL: 'ldap://dc1.bank.lan',
    BRANCHLINE_DIRECTORY_USER_ATTRIBUTES: 'mail, uid',
    BRANCHLINE_DIRECTORY_SYNC_SECONDS: '5',
  }).directory;
  assert.equal(s?.startTls, true);
  assert.deepEqual(s?.userAttributes, ['mail', 'uid']);
  assert.equal(s?.syncSeconds, 5);
});

test('loadConfig() rejects a bad directory setting with a message naming the variable', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ BRANCHLINE_DIRECTORY_URL: 'https://dc1' }, /BRANCHLINE_DIRECTORY_URL/],
    [{ BRANCHLINE_DIRECTORY_URL: 'ldaps://svc:pw@dc1' }, /BRANCHLINE_DIRECTORY_URL/],
    [{ BRANCHLINE_DIRECTORY_URL: 'ldaps://dc1/dc=bank' }, /BRANCHLINE_DIRECTORY_URL/],
    [{ BRANCHLINE_DIRECTORY_BIND_DN: '' }, /BRANCHLINE_DIRECTORY_BIND_DN/],
    [{ BRANCHLINE_DIRECTORY_BASE_DN: ' ' }, /BRANCHLINE_DIRECTORY_BASE_DN/],
    [{ BRANCHLINE_DIRECTORY_BIND_PASSWORD: '' }, /BRANCHLINE_DIRECTORY_BIND_PASSWORD/],
    [{ BRANCHLINE_DIRECTORY_BIND_PASSWORD_FILE: '/nonexistent/pw' }, /BRANCHLINE_DIRECTORY_BIND_PASSWORD/],
    [{ BRANCHLINE_DIRECTORY_USER_ATTRIBUTES: 'uid,(mail)' }, /BRANCHLINE_DIRECTORY_USER_ATTRIBUTES/],
    // The sync interval is capped so that a disabled account is frozen within 60 s.
    [{ BRANCHLINE_DIRECTORY_SYNC_SECONDS: '51' }, /BRANCHLINE_DIRECTORY_SYNC_SECONDS/],
    [{ BRANCHLINE_DIRECTORY_SYNC_SECONDS: '0' }, /BRANCHLINE_DIRECTORY_SYNC_SECONDS/],
  ];
  for (const [env, re] of bad) assert.throws(() => loadConfig({ ...base, ...env }), re, JSON.stringify(env));
});

test('effectiveSettings() masks the directory service account password', () => {
  const rows = effectiveSettings(base, loadConfig(base));
  const byName = new Map(rows.map((r) => [r.name, r.value]));
  assert.equal(byName.get('BRANCHLINE_DIRECTORY_BIND_PASSWORD'), '********');
  assert.equal(byName.get('BRANCHLINE_DIRECTORY_URL'), 'ldaps://dc1.bank.lan:636');
  assert.equal(byName.get('BRANCHLINE_DIRECTORY_SYNC_SECONDS'), '30');
});
