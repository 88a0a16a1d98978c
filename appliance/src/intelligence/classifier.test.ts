import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntentClassifier } from './classifier.ts';
import { botTurn, newSession } from './dialogue.ts';
import { SEED_INTENTS, seedExamples } from './seed.ts';
import { DEFAULT_SETTINGS } from './store.ts';

const heldOut = (i: number) => i % 4 === 3;

test('the seed data has at least 10 intents with at least 8 utterances each in zh and en', () => {
  const intents = Object.entries(SEED_INTENTS);
  assert.ok(intents.length >= 10);
  for (const [, texts] of intents) {
    assert.ok(texts.length >= 8);
    assert.ok(texts.some((t) => /[\u4e00-\u9fff]/u.test(t)));
    assert.ok(texts.some((t) => /^[a-z' ]+$/i.test(t)));
  }
});

test('classify() reaches at least 0.8 accuracy on a held-out quarter of the seed data', () => {
  const model = new IntentClassifier(seedExamples((i) => !heldOut(i)));
  const test = seedExamples(heldOut);
  const right = test.filter((e) => model.classify(e.text)?.intent === e.intent).length;
  assert.ok(right / test.length >= 0.8, `accuracy ${right}/${test.length}`);
});

test('an ambiguous message gets a clarifying question naming the top two intents', () => {
  const classifier = new IntentClassifier(seedExamples());
  const out = botTurn(newSession(), 'card password', {
    classifier,
    faq: () => undefined,
    settings: DEFAULT_SETTINGS,
  });
  assert.equal(out.kind, 'clarify');
  assert.match(
    out.text,
    /^Do you mean (resetting your password|reporting a lost card) or (resetting your password|reporting a lost card)\?$/,
  );
  const zh = botTurn(newSession(), '卡锁了', {
    classifier,
    faq: () => undefined,
    settings: DEFAULT_SETTINGS,
  });
  assert.equal(zh.kind, 'clarify');
  assert.match(zh.text, /还是/);
});

test('a confirmed label moves a misclassified utterance to the right intent', () => {
  const model = new IntentClassifier(seedExamples());
  const text = 'my plastic got swallowed by the machine';
  assert.notEqual(model.classify(text)?.intent, 'card_lost');
  model.add({ text, intent: 'card_lost', weight: 3 });
  assert.equal(model.classify(text)?.intent, 'card_lost');
});

test('rank() returns probabilities over every intent that sum to 1', () => {
  const ranked = new IntentClassifier(seedExamples()).rank('我要投诉你们');
  assert.equal(ranked[0]?.intent, 'complaint');
  assert.ok(Math.abs(ranked.reduce((s, r) => s + r.p, 0) - 1) < 1e-9);
});
