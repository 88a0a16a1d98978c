import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoutingError } from './errors.ts';
import { compileExpression } from './expr.ts';

const agent = { skills: { billing: 4, loans: 2 }, languages: ['zh', 'en'], userId: 'u1' };

const cases: Array<[string, Record<string, unknown>, boolean]> = [
  ["skills.billing >= 3 && 'zh' in languages", agent, true],
  ["skills.billing >= 5 || 'yue' in languages", agent, false],
  ['skills.mortgage >= 1', agent, false],
  ['!(skills.loans > 2)', agent, true],
  ["intent in ['fraud', 'lost_card']", { intent: 'fraud' }, true],
  ["intent in ['fraud', 'lost_card']", { intent: 'balance' }, false],
  ['vip == true && tier >= 2', { vip: true, tier: 3 }, true],
  ['vip', { vip: false }, false],
  ['amount > -5', { amount: -1 }, true],
  ['language == "zh"', { language: 'zh' }, true],
  ['constructor.name == "Object"', {}, false],
  ['toString', {}, false],
  ['a < b', { a: 'a', b: 'b' }, true],
  ['a < b', { a: 1, b: 'b' }, false],
  ['null == missing', {}, false],
];

for (const [src, scope, want] of cases) {
  test(`"${src}" evaluates to ${want}`, () => {
    assert.equal(compileExpression(src).test(scope), want);
  });
}

test('refs lists every dotted name the expression reads', () => {
  const e = compileExpression('skills.billing >= task.level && task.language in languages');
  assert.deepEqual([...e.refs].sort(), ['languages', 'skills.billing', 'task.language', 'task.level']);
});

const errors: Array<[string, string]> = [
  ['skills.billing >= 3 )', "Cannot parse expression: unexpected ')' at 20"],
  ['(a == 1', "Cannot parse expression: expected ')' but found end of expression at 7"],
  ['a == ', 'Cannot parse expression: unexpected end of expression at 5'],
  ["'abc", 'Cannot parse expression: unterminated string at 0'],
  ['a = 1', "Cannot parse expression: unexpected '=' at 2"],
  ['', 'Cannot parse expression: empty expression at 0'],
  ['a && && b', "Cannot parse expression: unexpected '&&' at 5"],
  ['skills. >= 1', "Cannot parse expression: bad name 'skills.' at 0"],
];

for (const [src, message] of errors) {
  test(`parsing "${src}" fails with the position: ${message}`, () => {
    assert.throws(
      () => compileExpression(src),
      (e: unknown) =>
        e instanceof RoutingError && e.code === 'ROUTING_EXPRESSION_INVALID' && e.message === message,
    );
  });
}

test('deep nesting is a coded parse error, not a stack overflow', () => {
  assert.throws(
    () => compileExpression(`${'('.repeat(500)}1${')'.repeat(500)}`),
    (e: unknown) => e instanceof RoutingError && /nested too deeply/.test(e.message),
  );
  assert.throws(() => compileExpression('!'.repeat(5000)), RoutingError);
});

test('random garbage never throws anything but the coded parse error', () => {
  const alphabet = [
    'a',
    'b.c',
    '1',
    '-',
    '2.5',
    "'",
    '"',
    '(',
    ')',
    '[',
    ']',
    ',',
    '&&',
    '||',
    '!',
    '==',
    '<',
    '>=',
    ' in ',
    ' ',
    '\\',
    '.',
    '=',
    '&',
    '|',
    '$',
    'true',
    '\u00e9',
  ];
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < 5000; i++) {
    let src = '';
    if (i % 2 === 0) {
      const len = rnd(20);
      for (let j = 0; j < len; j++) src += alphabet[rnd(alphabet.length)];
    } else {
      // Mutate a valid rule: one random cut-and-splice keeps it near the grammar.
      src = (cases[rnd(cases.length)] as (typeof cases)[number])[0];
      const at = rnd(src.length + 1);
      src =
        src.slice(0, at) +
        (rnd(2) ? (alphabet[rnd(alphabet.length)] as string) : '') +
        src.slice(at + rnd(3));
    }
    try {
      const e = compileExpression(src);
      assert.equal(typeof e.test({ a: 1, b: { c: [1] } }), 'boolean');
      parsed++;
    } catch (err) {
      assert.ok(err instanceof RoutingError, `non-coded error for ${JSON.stringify(src)}: ${String(err)}`);
      assert.equal(err.code, 'ROUTING_EXPRESSION_INVALID');
      assert.equal(typeof err.details?.['position'], 'number');
      rejected++;
    }
  }
  assert.ok(
    parsed > 200 && rejected > 200,
    `both outcomes exercised (${parsed} parsed, ${rejected} rejected)`,
  );
});
