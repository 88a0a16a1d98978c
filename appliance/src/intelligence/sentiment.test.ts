import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sentiment } from './sentiment.ts';

const TABLE: Array<[string, 'pos' | 'neg' | 'zero']> = [
  ['我很满意', 'pos'],
  ['我不满意', 'neg'],
  ['服务不好', 'neg'],
  ['问题没有解决', 'neg'],
  ['不错', 'pos'],
  ['你们太差了！', 'neg'],
  ['I am happy with this', 'pos'],
  ['I am not happy', 'neg'],
  ['this is terrible', 'neg'],
  ['not bad', 'pos'],
  ['never helpful', 'neg'],
  ['我要查询余额', 'zero'],
];

for (const [text, want] of TABLE) {
  test(`sentiment("${text}") is ${want}`, () => {
    const s = sentiment(text);
    assert.ok(s >= -1 && s <= 1);
    if (want === 'pos') assert.ok(s > 0.2, String(s));
    else if (want === 'neg') assert.ok(s < -0.2, String(s));
    else assert.equal(s, 0);
  });
}
