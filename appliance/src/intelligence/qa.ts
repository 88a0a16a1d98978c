import { sentiment } from './sentiment.ts';
import type {
  AcousticMetrics,
  AcousticRuleDef,
  Comparison,
  QaFinding,
  QaRuleDef,
  TextRuleDef,
  TranscriptLine,
} from './types.ts';

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

/** Points lost by each built-in rule (the default scorecard's weights). */
export const DEFAULT_WEIGHTS = {
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

/** The five built-in rules as scorecard text rules. */
export function builtInTextRules(rules: QaRules = DEFAULT_QA_RULES): TextRuleDef[] {
  return [
    {
      id: 'greeting',
      kind: 'text',
      check: 'greeting',
      weight: DEFAULT_WEIGHTS.greeting,
      words: [...rules.greetings],
    },
    {
      id: 'forbidden_words',
      kind: 'text',
      check: 'forbidden_words',
      weight: DEFAULT_WEIGHTS.forbidden_words,
      words: [...rules.forbidden],
    },
    {
      id: 'end_sentiment',
      kind: 'text',
      check: 'end_sentiment',
      weight: DEFAULT_WEIGHTS.end_sentiment,
      limit: -0.2,
    },
    {
      id: 'response_time',
      kind: 'text',
      check: 'response_time',
      weight: DEFAULT_WEIGHTS.response_time,
      limit: rules.maxResponseMs / 1000,
    },
    {
      id: 'resolution',
      kind: 'text',
      check: 'resolution',
      weight: DEFAULT_WEIGHTS.resolution,
      words: [...rules.resolution],
    },
  ];
}

/** One text rule over a transcript: passed, and what it saw. */
export function evaluateText(
  rule: TextRuleDef,
  lines: readonly TranscriptLine[],
): { passed: boolean; detail: string } {
  const agent = lines.filter((l) => l.role === 'agent');
  const customer = lines.filter((l) => l.role === 'customer');
  const words = rule.words ?? [];
  switch (rule.check) {
    case 'greeting': {
      const first = agent[0];
      return {
        passed: !!first && has(first.text, words).length > 0,
        detail: first ? 'first agent reply' : 'no agent reply',
      };
    }
    case 'forbidden_words': {
      const bad = [...new Set(agent.flatMap((l) => has(l.text, words)))];
      return { passed: bad.length === 0, detail: bad.length ? `used: ${bad.join(', ')}` : 'none used' };
    }
    case 'end_sentiment': {
      const last = customer.at(-1);
      const endScore = last ? sentiment(last.text) : 0;
      return {
        passed: endScore >= (rule.limit ?? -0.2),
        detail: `last customer sentiment ${endScore.toFixed(2)}`,
      };
    }
    case 'response_time': {
      let worst = 0;
      let waitingSince: number | undefined;
      for (const l of lines) {
        if (l.role === 'customer') waitingSince ??= Date.parse(l.at);
        else if (l.role === 'agent' && waitingSince !== undefined) {
          worst = Math.max(worst, Date.parse(l.at) - waitingSince);
          waitingSince = undefined;
        }
      }
      return {
        passed: worst <= (rule.limit ?? 60) * 1000,
        detail: `slowest reply ${Math.round(worst / 1000)}s`,
      };
    }
    case 'resolution': {
      const resolved = agent.some((l) => has(l.text, words).length > 0);
      return { passed: resolved, detail: resolved ? 'agent confirmed resolution' : 'no resolution check' };
    }
    case 'required_phrase': {
      const said = [...new Set(agent.flatMap((l) => has(l.text, words)))];
      return { passed: said.length > 0, detail: said.length ? `said: ${said.join(', ')}` : 'not said' };
    }
  }
}

const COMPARE: Record<Comparison, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** One acoustic rule: `metric op threshold`. */
export function evaluateAcoustic(
  rule: AcousticRuleDef,
  m: AcousticMetrics,
): { passed: boolean; detail: string } {
  const v = m[rule.metric];
  return {
    passed: COMPARE[rule.op](v, rule.threshold),
    detail: `${rule.metric} ${v} (${rule.op} ${rule.threshold})`,
  };
}

export interface CardScore {
  score?: number;
  findings: QaFinding[];
  notApplicable: string[];
}

/**
 * Scores with a card's rules: text rules when something was said, acoustic
 * rules when the recording was measured; the rest are "not applicable". No
 * applicable rule → no score. 100 minus the failed rules' weights, never below 0.
 */
export function scoreWithCard(
  rules: readonly QaRuleDef[],
  input: { lines: readonly TranscriptLine[]; acoustic?: AcousticMetrics },
): CardScore {
  const said = input.lines.some((l) => l.text.trim());
  const findings: QaFinding[] = [];
  const notApplicable: string[] = [];
  for (const rule of rules) {
    const r =
      rule.kind === 'text'
        ? said
          ? evaluateText(rule, input.lines)
          : undefined
        : input.acoustic
          ? evaluateAcoustic(rule, input.acoustic)
          : undefined;
    if (!r) {
      notApplicable.push(rule.id);
      continue;
    }
    findings.push({
      rule: rule.id,
      kind: rule.kind,
      passed: r.passed,
      penalty: r.passed ? 0 : rule.weight,
      detail: r.detail,
    });
  }
  if (findings.length === 0) return { findings, notApplicable };
  const score = Math.max(0, 100 - findings.reduce((s, f) => s + f.penalty, 0));
  return { score, findings, notApplicable };
}

/** Scores a closed transcript with the five built-in rules: 100 minus the penalty of every failed rule, never below 0. */
export function scoreTranscript(
  lines: readonly TranscriptLine[],
  rules: QaRules = DEFAULT_QA_RULES,
): { score: number; findings: QaFinding[] } {
  const findings: QaFinding[] = builtInTextRules(rules).map((rule) => {
    const r = evaluateText(rule, lines);
    return { rule: rule.id, passed: r.passed, penalty: r.passed ? 0 : rule.weight, detail: r.detail };
  });
  const score = Math.max(0, 100 - findings.reduce((s, f) => s + f.penalty, 0));
  return { score, findings };
}
