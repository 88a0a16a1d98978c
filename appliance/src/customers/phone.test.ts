import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomersError } from './errors.ts';
import { legacyPhoneValues, parsePhone } from './phone.ts';

// [typed, canonical value, kind, extension]
const CN_TABLE: Array<[string, string, string, string | undefined]> = [
  ['13900001111', '+8613900001111', 'mobile', undefined],
  ['139 0000 1111', '+8613900001111', 'mobile', undefined],
  ['+8613900001111', '+8613900001111', 'mobile', undefined],
  ['+86 139-0000-1111', '+8613900001111', 'mobile', undefined],
  ['008613900001111', '+8613900001111', 'mobile', undefined],
  ['0086 139 0000 1111', '+8613900001111', 'mobile', undefined],
  ['８６１３９００００１１１１', '+8613900001111', 'mobile', undefined], // full-width digits from an IME
  ['010-62345678', '+861062345678', 'fixed', undefined],
  ['(010) 6234 5678', '+861062345678', 'fixed', undefined],
  ['+86 10 6234 5678', '+861062345678', 'fixed', undefined],
  ['021-62345678', '+862162345678', 'fixed', undefined],
  ['0755-12345678', '+8675512345678', 'fixed', undefined],
  ['010-62345678 ext 123', '+861062345678;ext=123', 'fixed', '123'],
  ['010-62345678转123', '+861062345678;ext=123', 'fixed', '123'],
  ['010-62345678 分机 8001', '+861062345678;ext=8001', 'fixed', '8001'],
  ['95588', '+8695588', 'service', undefined],
  ['+8695588', '+8695588', 'service', undefined],
  ['12345', '+8612345', 'service', undefined],
  ['10086', '+8610086', 'service', undefined],
  ['400-820-8820', '+864008208820', 'service', undefined],
  ['800-820-8820', '+868008208820', 'service', undefined],
  ['+1 415 555 0100', '+14155550100', 'fixed', undefined],
];

for (const [typed, value, kind, ext] of CN_TABLE) {
  test(`parsePhone() reads ${JSON.stringify(typed)} in CN as ${value} (${kind})`, () => {
    const p = parsePhone(typed, 'CN');
    assert.equal(p.value, value);
    assert.equal(p.kind, kind);
    assert.equal(p.ext, ext);
    assert.equal(p.e164, value.split(';')[0]);
    assert.equal(p.raw, typed.normalize('NFKC').trim());
  });
}

test('parsePhone() rejects what is no number with CUSTOMERS_INVALID_FIELD naming the phone field', () => {
  for (const bad of [
    '',
    'abc',
    '123',
    '1390000111',
    '+13900001111',
    '010-1234',
    '9558',
    `1${'3'.repeat(70)}`,
  ]) {
    assert.throws(
      () => parsePhone(bad, 'CN'),
      (e: unknown) =>
        e instanceof CustomersError &&
        e.code === 'CUSTOMERS_INVALID_FIELD' &&
        (e.details as { field?: string }).field === 'phone',
      bad,
    );
  }
});

test('parsePhone() reads national numbers in the given region, and short numbers only where listed', () => {
  assert.equal(parsePhone('(415) 555-0100', 'US').value, '+14155550100');
  assert.throws(() => parsePhone('13900001111', 'US'), CustomersError);
  assert.throws(() => parsePhone('95588', 'US'), CustomersError);
  assert.equal(parsePhone('+8613900001111', 'US').value, '+8613900001111');
});

test('parsePhone() refuses an unknown region with a TypeError', () => {
  assert.throws(() => parsePhone('13900001111', 'XX'), TypeError);
});

test('legacyPhoneValues() names the key the pre-region normaliser stored for the same number', () => {
  // '13900001111' used to become '+13900001111': caller ID +8613900001111 must still find it.
  assert.deepEqual(legacyPhoneValues('+8613900001111', 'CN'), ['+13900001111']);
  assert.deepEqual(legacyPhoneValues('13900001111', 'CN'), ['+13900001111']);
  assert.deepEqual(legacyPhoneValues('0086 139 0000 1111', 'CN'), ['+13900001111']);
  // A number of another country was never typed in national form here.
  assert.deepEqual(legacyPhoneValues('+14155550100', 'CN'), []);
  // Not a number today: only what the old rule made of it.
  assert.deepEqual(legacyPhoneValues('+13900001111', 'CN'), ['+13900001111']);
});
