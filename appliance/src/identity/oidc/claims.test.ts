import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimValues, mapRoles, mfaAsserted, usernameFor } from './claims.ts';

test('mapRoles() gives the roles of mapped groups only, each once, and none for unmapped groups', () => {
  const map = { 'cc-agents': ['agent'], 'cc-leads': ['agent', 'supervisor'] };
  assert.deepEqual(mapRoles(['staff', 'cc-leads', 'cc-agents'], map), ['agent', 'supervisor']);
  assert.deepEqual(mapRoles(['staff'], map), []);
  assert.deepEqual(mapRoles([], map), []);
});

test('claimValues() reads an array, a space- or comma-separated string, and ignores other types', () => {
  assert.deepEqual(claimValues({ groups: ['a', 1, 'b'] }, 'groups'), ['a', 'b']);
  assert.deepEqual(claimValues({ roles: 'a b,c' }, 'roles'), ['a', 'b', 'c']);
  assert.deepEqual(claimValues({ groups: { a: 1 } }, 'groups'), []);
  assert.deepEqual(claimValues({}, 'groups'), []);
});

test('mfaAsserted() is true for a configured amr value or acr level, false for a password alone', () => {
  const policy = { mfaAmr: ['mfa', 'otp', 'hwk'], mfaAcr: ['urn:bank:loa:3'] };
  assert.equal(mfaAsserted({ amr: ['pwd', 'otp'] }, policy), true);
  assert.equal(mfaAsserted({ amr: ['pwd'] }, policy), false);
  assert.equal(mfaAsserted({ acr: 'urn:bank:loa:3' }, policy), true);
  assert.equal(mfaAsserted({ acr: 'urn:bank:loa:1', amr: 'pwd' }, policy), false);
  assert.equal(mfaAsserted({}, policy), false);
});

test('usernameFor() prefers preferred_username, then email, then sub, skipping values not valid here', () => {
  assert.equal(usernameFor({ sub: 's1', preferred_username: 'ann', email: 'ann@bank.cn' }), 'ann');
  assert.equal(
    usernameFor({ sub: 's1', preferred_username: 'ann smith', email: 'ann@bank.cn' }),
    'ann@bank.cn',
  );
  assert.equal(usernameFor({ sub: 'a'.repeat(80) }), undefined);
});
