import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreTranscript } from './qa.ts';
import type { TranscriptLine } from './types.ts';

const at = (s: number) => new Date(Date.UTC(2025, 0, 6, 9, 0, s)).toISOString();

test('scoreTranscript() gives 100 and all rules passed to a polite, fast, resolved chat', () => {
  const lines: TranscriptLine[] = [
    { role: 'customer', at: at(0), text: '我的卡丢了' },
    { role: 'agent', at: at(20), text: '您好，我来帮您挂失。' },
    { role: 'customer', at: at(30), text: '好的' },
    { role: 'agent', at: at(45), text: '已挂失，请问还有其他可以帮您的吗？' },
    { role: 'customer', at: at(50), text: '没有了，谢谢' },
  ];
  const r = scoreTranscript(lines);
  assert.equal(r.score, 100);
  assert.deepEqual(
    r.findings.map((f) => [f.rule, f.passed]),
    [
      ['greeting', true],
      ['forbidden_words', true],
      ['end_sentiment', true],
      ['response_time', true],
      ['resolution', true],
    ],
  );
});

test('scoreTranscript() finds a missing greeting, a forbidden word, an angry ending, a slow reply and no resolution check', () => {
  const lines: TranscriptLine[] = [
    { role: 'customer', at: at(0), text: 'where is my claim' },
    { role: 'bot', at: at(1), text: 'Connecting you to an agent' },
    { role: 'agent', at: at(0).replace(':00.', ':00.'), text: 'whatever, not my problem' },
    { role: 'customer', at: at(10), text: 'this is terrible' },
  ].map((l, i) =>
    i === 2 ? { ...l, at: new Date(Date.UTC(2025, 0, 6, 9, 2, 0)).toISOString() } : l,
  ) as TranscriptLine[];
  const r = scoreTranscript(lines);
  assert.deepEqual(
    r.findings.map((f) => [f.rule, f.passed, f.penalty]),
    [
      ['greeting', false, 15],
      ['forbidden_words', false, 30],
      ['end_sentiment', false, 20],
      ['response_time', false, 15],
      ['resolution', false, 20],
    ],
  );
  assert.equal(r.findings[1]?.detail, 'used: not my problem, whatever');
  assert.equal(r.findings[3]?.detail, 'slowest reply 120s');
  assert.equal(r.score, 0);
});

test('scoreTranscript() ignores bot lines when checking the agent greeting', () => {
  const r = scoreTranscript([
    { role: 'customer', at: at(0), text: 'hi' },
    { role: 'bot', at: at(1), text: 'Hello! How can I help you?' },
    { role: 'agent', at: at(5), text: 'Your card is blocked. Anything else?' },
  ]);
  assert.deepEqual(
    r.findings.filter((f) => !f.passed).map((f) => f.rule),
    ['greeting'],
  );
  assert.equal(r.score, 85);
});
