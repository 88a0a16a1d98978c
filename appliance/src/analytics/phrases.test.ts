import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collocation, isCollocation, phraseCandidates } from './phrases.ts';
import { distinctTerms, topicTokens } from './terms.ts';

/** Message-level counts of words and neighbouring pairs, as the miner stores them. */
function countCorpus(corpus: readonly string[]) {
  const words = new Map<string, number>();
  const pairs = new Map<string, number>();
  for (const text of corpus) {
    const tokens = topicTokens(text);
    for (const w of distinctTerms(tokens)) words.set(w, (words.get(w) ?? 0) + 1);
    for (const p of phraseCandidates(tokens)) pairs.set(p, (pairs.get(p) ?? 0) + 1);
  }
  const kept = [...pairs]
    .filter(([p, ab]) => {
      const [a, b] = p.split(' ') as [string, string];
      return isCollocation({ n: corpus.length, a: words.get(a) ?? 0, b: words.get(b) ?? 0, ab });
    })
    .map(([p]) => p)
    .sort();
  return { words, pairs, kept };
}

// A branch's week in miniature: two real collocations among frequent words that meet by chance.
const EN = [
  'My credit card was stolen yesterday',
  'credit card blocked',
  'I lost my credit card',
  'Credit card statement looks wrong',
  'Why is my credit card declined?',
  'credit card limit increase',
  'password reset for online banking',
  'need a password reset',
  'password reset link expired',
  'account today frozen',
  'account today overdrawn',
  'account today locked',
  'today the account balance is low',
  'account transfer failed today',
  'today my account shows nothing',
  'account statement for today',
  'account fees went up today',
  'branch opening hours',
  'branch queue too long',
  'mortgage rate question',
  'mortgage payment missed',
  'transfer limit question',
  'loan interest question',
  'cheque deposit',
];

test('collocations of an English corpus are "credit card" and "password reset", not frequent words that meet by chance', () => {
  const { kept, pairs } = countCorpus(EN);
  assert.deepEqual(kept, ['credit card', 'password reset']);
  // "account today" is as frequent as "password reset" but no more than chance for two common words.
  assert.ok((pairs.get('account today') ?? 0) >= 3);
  assert.equal(kept.includes('account today'), false);
});

const ZH = [
  '我的信用卡挂失怎么办',
  '信用卡挂失以后补卡',
  '昨天信用卡挂失了',
  '信用卡挂失需要多久',
  '信用卡挂失费用',
  '网银密码忘记了',
  '网银密码重置',
  '网银密码锁定',
  '信用卡账单不对',
  '转账到账很慢',
  '理财产品收益',
  '预约开户',
  '密码锁定怎么解冻',
  '账单分期手续费',
  '信用卡年费',
  '挂失身份证',
  '到账时间',
  '贷款利率',
  '网点排队',
  '退款进度',
  '手机银行登录',
  '社保卡激活',
  '汇款手续费',
  '理财到期',
  '医保缴费',
  '住院押金',
  '复诊挂号',
];

test('collocations of a Chinese corpus pair Intl.Segmenter words: 信用卡 挂失 and 网银 密码, not one-off neighbours', () => {
  const { kept, pairs } = countCorpus(ZH);
  assert.deepEqual(kept, ['信用卡 挂失', '网银 密码']);
  assert.equal(pairs.get('信用卡 账单'), 1);
});

test('phraseCandidates() pairs neighbours across stop words but never across punctuation or removed numbers', () => {
  assert.deepEqual(phraseCandidates(topicTokens('I lost my credit card. Refund')), [
    'lost credit',
    'credit card',
  ]);
  assert.deepEqual(phraseCandidates(topicTokens('挂失 13800138000 退款')), []);
});

test('collocation() is positive PMI with a large G² for a bound pair and negative PMI for an unrelated one', () => {
  const bound = collocation({ n: 100, a: 10, b: 10, ab: 9 });
  assert.ok(bound.pmi > 3 && bound.g2 > 40);
  assert.ok(collocation({ n: 100, a: 50, b: 50, ab: 20 }).pmi < 0);
  assert.equal(isCollocation({ n: 100, a: 2, b: 2, ab: 2 }), false, 'too rare, however bound');
  assert.throws(() => collocation({ n: 10, a: 2, b: 2, ab: 3 }), RangeError);
});
