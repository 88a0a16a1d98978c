import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrub, topicTerms } from './terms.ts';

test('topicTerms() segments Chinese into words and joins characters ICU splits apart (盗刷, 挂失)', () => {
  assert.deepEqual(topicTerms('我的信用卡被盗刷了，需要挂失'), ['信用卡', '盗刷', '挂失']);
});

test('topicTerms() lowercases English, drops stopwords and counts a repeated word once per message', () => {
  assert.deepEqual(topicTerms('Please REFUND the refund for my Card'), ['refund', 'card']);
});

test('topicTerms() never yields phone, card, ID or account numbers, also spaced, dashed or in Chinese numerals', () => {
  const terms = topicTerms(
    '电话13800138000，卡号 6222 0212 3456 7890，身份证11010519491231002X，账户 12-3456-78，手机一三八零零一三八零零零 call +86 138-0013-8000',
  );
  for (const t of terms) assert.doesNotMatch(t, /[\d零〇一二三四五六七八九]{3,}|x$/u, t);
  assert.ok(terms.includes('call'));
  assert.ok(terms.includes('卡号'));
});

test('topicTerms() never yields an email address, a URL or any part of them', () => {
  const terms = topicTerms(
    'mail zhang.san@example.com or see https://bank.example.cn/refund?id=42 and www.foo.cn',
  );
  assert.deepEqual(terms, ['mail', 'see']);
});

test('scrub() removes URLs, emails and digit runs before anything is segmented', () => {
  assert.equal(scrub('a@b.cn 138 0013 8000 http://x.cn/y ok').trim().split(/\s+/).join(' '), 'ok');
});

test('topicTerms() skips single characters, function words and overlong tokens', () => {
  assert.deepEqual(topicTerms('我 你好 怎么办 supercalifragilisticexpialidocious 网银'), ['网银']);
});

test('topicTerms() matches bank words ICU splits or glues wrongly before segmenting (银行卡挂失 → 银行卡, 挂失)', () => {
  assert.deepEqual(topicTerms('银行卡挂失怎么办').sort(), ['挂失', '银行卡'].sort());
});

test('scrub() keeps a 35,000-letter word and drops an over-long run holding an @ whole (no quadratic backtracking)', () => {
  const word = 'a'.repeat(35_000);
  assert.equal(scrub(`${word} ok`), `${word} ok`);
  assert.equal(scrub(`${'b'.repeat(300)}@bank.cn ok`), '  ok');
  assert.equal(scrub('写信给 kefu@bank.cn 谢谢').replace(/\s+/g, ' '), '写信给 谢谢');
});
