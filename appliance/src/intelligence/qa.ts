import { sentiment } from './sentiment.ts';
import type { QaFinding, TranscriptLine } from './types.ts';

export interface QaRules {
  /** Agent's first reply must open with one of these. */
  greetings: readonly string[];
  forbidden: readonly string[];
  /** Longest acceptable wait for an agent reply after a customer message. */
  maxResponseMs: number;
  resolution: readonly string[];
}

export const DEFAULT_QA_RULES: QaRules = {
  greetings: ['您好', '你好', '欢迎', 'hello', 'hi', 'good morning', 'good afternoon', 'welcome'],
  forbidden: [
    '不知道',
    '不归我管',
    '你自己看',
    '烦不烦',
    '没办法',
    'not my problem',
    'whatever',
    'shut up',
    'stupid',
  ],
  maxResponseMs: 60_000,
  resolution: [
    '还有其他',
    '解决了吗',
    '问题解决',
    '还有什么可以',
    'anything else',
    'is there anything',
    'resolved',
    'solved your',
  ],
};

const PENALTY = {
  greeting: 15,
  forbidden_words: 30,
  end_sentiment: 20,
  response_time: 15,
  resolution: 20,
} as const;

/** Latin words match whole words only ("hi" is not in "anything"); Chinese matches as substrings. */
const has = (text: string, words: readonly string[]) => {
  const t = text.toLowerCase();
  return words.filter((w) => {
    const lw = w.toLowerCase();
    if (!/^[a-z' ]+$/.test(lw)) return t.includes(lw);
    return new RegExp(`(^|[^a-z])${lw}([^a-z]|$)`).test(t);
  });
};

/** Scores a closed transcript: 100 minus the penalty of every failed rule, never below 0. */
export function scoreTranscript(
  lines: readonly TranscriptLine[],
  rules: QaRules = DEFAULT_QA_RULES,
): { score: number; findings: QaFinding[] } {
  const agent = lines.filter((l) => l.role === 'agent');
  const customer = lines.filter((l) => l.role === 'customer');
  const findings: QaFinding[] = [];
  const add = (rule: QaFinding['rule'], passed: boolean, detail: string) =>
    findings.push({ rule, passed, penalty: passed ? 0 : PENALTY[rule], detail });

  const first = agent[0];
  add(
    'greeting',
    !!first && has(first.text, rules.greetings).length > 0,
    first ? 'first agent reply' : 'no agent reply',
  );

  const bad = [...new Set(agent.flatMap((l) => has(l.text, rules.forbidden)))];
  add('forbidden_words', bad.length === 0, bad.length ? `used: ${bad.join(', ')}` : 'none used');

  const last = customer.at(-1);
  const endScore = last ? sentiment(last.text) : 0;
  add('end_sentiment', endScore >= -0.2, `last customer sentiment ${endScore.toFixed(2)}`);

  let worst = 0;
  let waitingSince: number | undefined;
  for (const l of lines) {
    if (l.role === 'customer') waitingSince ??= Date.parse(l.at);
    else if (l.role === 'agent' && waitingSince !== undefined) {
      worst = Math.max(worst, Date.parse(l.at) - waitingSince);
      waitingSince = undefined;
    }
  }
  add('response_time', worst <= rules.maxResponseMs, `slowest reply ${Math.round(worst / 1000)}s`);

  const resolved = agent.some((l) => has(l.text, rules.resolution).length > 0);
  add('resolution', resolved, resolved ? 'agent confirmed resolution' : 'no resolution check');

  const score = Math.max(0, 100 - findings.reduce((s, f) => s + f.penalty, 0));
  return { score, findings };
}
