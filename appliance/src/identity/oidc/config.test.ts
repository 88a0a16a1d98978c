import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../config/index.ts';

const BASE = {
  BRANCHLINE_OIDC_ISSUER: 'https://idp.bank.cn/realms/branch',
  BRANCHLINE_OIDC_CLIENT_ID: 'branchline',
  BRANCHLINE_OIDC_CLIENT_SECRET: 's3cret-value',
};

test('OIDC settings: off without an issuer; with one, the map, scopes and defaults are read and the secret never serialises', () => {
  assert.equal(loadConfig({}).oidc, undefined);
  const oidc = loadConfig({
    ...BASE,
    BRANCHLINE_OIDC_ROLE_MAP: '{"cc-agents":"agent","leads":["supervisor","agent"]}',
  }).oidc;
  assert.deepEqual(oidc?.roleMap, { 'cc-agents': ['agent'], leads: ['supervisor', 'agent'] });
  assert.deepEqual(oidc?.scopes, ['openid', 'profile', 'email']);
  assert.equal(oidc?.groupsClaim, 'groups');
  assert.equal(oidc?.clientSecret, 's3cret-value');
  assert.doesNotMatch(JSON.stringify(oidc), /s3cret/);
  assert.deepEqual(loadConfig({ ...BASE, BRANCHLINE_OIDC_SCOPES: 'profile groups' }).oidc?.scopes, [
    'openid',
    'profile',
    'groups',
  ]);
});

test('OIDC settings refuse a missing secret, plain http off loopback and a role map that is not group → role(s)', () => {
  const bad = (env: Record<string, string>, name: RegExp) =>
    assert.throws(
      () => loadConfig(env),
      (e: unknown) => e instanceof ConfigError && name.test(e.message),
    );
  bad({ ...BASE, BRANCHLINE_OIDC_CLIENT_SECRET: '' }, /BRANCHLINE_OIDC_CLIENT_SECRET are required/);
  bad({ ...BASE, BRANCHLINE_OIDC_ISSUER: 'http://idp.bank.cn' }, /must be https/);
  bad({ ...BASE, BRANCHLINE_OIDC_ROLE_MAP: '["agent"]' }, /BRANCHLINE_OIDC_ROLE_MAP/);
  bad({ ...BASE, BRANCHLINE_OIDC_ROLE_MAP: '{"g":[]}' }, /"g" must map to a role/);
  bad({ ...BASE, BRANCHLINE_OIDC_ROLE_MAP: '{oops' }, /BRANCHLINE_OIDC_ROLE_MAP/);
  assert.equal(
    loadConfig({ ...BASE, BRANCHLINE_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.issuer,
    'http://127.0.0.1:9000',
  );
});
