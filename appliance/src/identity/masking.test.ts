import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Permission } from '../contracts/index.ts';
import { maskBankCard, maskEmail, maskFor, maskIdCard, maskPhone } from './masking.ts';
import { BUILTIN_PERMISSIONS, permissionsFor, requiresMfa } from './permissions.ts';

test('maskBankCard() keeps the first 4 and last 4 digits', () => {
  assert.equal(maskBankCard('6222021234561234'), '6222 **** **** 1234');
  assert.equal(maskBankCard('6222 0212 3456 1234'), '6222 **** **** 1234');
  assert.equal(maskBankCard('1234'), '****');
});

test('maskIdCard() keeps the region code and last 4 characters', () => {
  assert.equal(maskIdCard('110101199003071234'), '110101********1234');
  assert.equal(maskIdCard('11010119900307123X'), '110101********123X');
});

test('maskPhone() keeps the first 3 and last 4 digits', () => {
  assert.equal(maskPhone('13812345678'), '138****5678');
  assert.equal(maskPhone('+8613812345678'), '+861******5678');
  assert.equal(maskEmail('ann@example.com'), 'a***@example.com');
});

test('maskFor() masks for an agent and shows the value with customers.read_sensitive', () => {
  const agent = permissionsFor(['agent'], new Map());
  assert.equal(maskFor(agent, 'bankCard', '6222021234561234'), '6222 **** **** 1234');
  assert.equal(maskFor(agent, 'idCard', '110101199003071234'), '110101********1234');
  assert.equal(maskFor(agent, 'phone', '13812345678'), '138****5678');
  const sensitive = new Set<Permission>(['customers.read', 'customers.read_sensitive']);
  assert.equal(maskFor(sensitive, 'bankCard', '6222021234561234'), '6222021234561234');
});

test('permissionsFor() gives audit.settings only to a user holding both auditor and admin', () => {
  assert.ok(!permissionsFor(['admin'], new Map()).has('audit.settings'));
  assert.ok(!permissionsFor(['admin'], new Map()).has('audit.read'));
  assert.ok(!permissionsFor(['auditor'], new Map()).has('audit.settings'));
  assert.ok(permissionsFor(['auditor', 'admin'], new Map()).has('audit.settings'));
  const sneaky = new Map<string, Permission[]>([['x', ['audit.settings', 'tickets.read']]]);
  assert.ok(!permissionsFor(['x'], sneaky).has('audit.settings'));
  assert.ok(permissionsFor(['x'], sneaky).has('tickets.read'));
});

test('built-in roles carry the documented permission sets and MFA requirement', () => {
  assert.deepEqual([...BUILTIN_PERMISSIONS.agent].sort(), [
    'contacts.handle',
    'customers.read',
    'tickets.read',
    'tickets.write',
  ]);
  assert.ok(BUILTIN_PERMISSIONS.supervisor.includes('contacts.monitor'));
  assert.deepEqual([...BUILTIN_PERMISSIONS.auditor].sort(), ['audit.export', 'audit.read', 'users.read']);
  assert.ok(requiresMfa(['agent', 'supervisor']));
  assert.ok(!requiresMfa(['agent']));
});
