import { IntelligenceError } from './errors.ts';
import { builtInTextRules } from './qa.ts';
import type { AcousticMetric, AcousticRuleDef, QaRuleDef, Scorecard, TextCheck } from './types.ts';

export const DEFAULT_SCORECARD_ID = 'default';

export const ACOUSTIC_METRICS: readonly AcousticMetric[] = [
  'agent_talk_ratio',
  'longest_silence_s',
  'silence_share',
  'overtalk_s',
  'agent_interruptions',
  'hold_s',
  'first_agent_words_s',
];
export const TEXT_CHECKS: readonly TextCheck[] = [
  'greeting',
  'forbidden_words',
  'end_sentiment',
  'response_time',
  'resolution',
  'required_phrase',
];

/** Acoustic rules of the seeded default card: they score every call, in any language, with or without words. */
export const DEFAULT_ACOUSTIC_RULES: AcousticRuleDef[] = [
  { id: 'talk_ratio', kind: 'acoustic', metric: 'agent_talk_ratio', op: '<=', threshold: 0.8, weight: 5 },
  {
    id: 'longest_silence',
    kind: 'acoustic',
    metric: 'longest_silence_s',
    op: '<=',
    threshold: 15,
    weight: 10,
  },
  { id: 'silence_share', kind: 'acoustic', metric: 'silence_share', op: '<=', threshold: 0.5, weight: 5 },
  { id: 'overtalk', kind: 'acoustic', metric: 'overtalk_s', op: '<=', threshold: 3, weight: 10 },
  { id: 'interruptions', kind: 'acoustic', metric: 'agent_interruptions', op: '<=', threshold: 2, weight: 5 },
  { id: 'hold_time', kind: 'acoustic', metric: 'hold_s', op: '<=', threshold: 120, weight: 5 },
  { id: 'first_words', kind: 'acoustic', metric: 'first_agent_words_s', op: '<=', threshold: 10, weight: 10 },
];

/** The card seeded on first start: the five rules QA always had, plus the acoustic ones. */
export function defaultScorecard(at: string): Scorecard {
  return {
    id: DEFAULT_SCORECARD_ID,
    name: 'Default',
    queues: [],
    rules: [...builtInTextRules(), ...DEFAULT_ACOUSTIC_RULES],
    version: 1,
    updatedAt: at,
    updatedBy: 'system',
  };
}

const WORD_CHECKS = new Set<TextCheck>(['greeting', 'forbidden_words', 'resolution', 'required_phrase']);

const invalid = (message: string, details: Record<string, unknown>) =>
  new IntelligenceError('INTELLIGENCE_SCORECARD_INVALID', message, { details });

/** What the schema cannot say: unique rule ids, the words or limit each check needs, a sane threshold. */
export function validateRules(rules: readonly QaRuleDef[]): void {
  if (rules.length === 0) throw invalid('A scorecard needs at least one rule', { field: 'rules' });
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    if (seen.has(r.id)) throw invalid(`Rule id used twice [rule:${r.id}]`, { rule: r.id, field: 'id' });
    seen.add(r.id);
    if (r.kind === 'acoustic') {
      if (!ACOUSTIC_METRICS.includes(r.metric))
        throw invalid(`Unknown metric [rule:${r.id}]`, { rule: r.id, field: 'metric' });
      const ratio = r.metric === 'agent_talk_ratio' || r.metric === 'silence_share';
      if (r.threshold < 0 || (ratio && r.threshold > 1))
        throw invalid(`Threshold out of range [rule:${r.id}]`, {
          rule: r.id,
          field: 'threshold',
          range: ratio ? '0–1' : '≥ 0',
        });
      continue;
    }
    if (WORD_CHECKS.has(r.check) && !r.words?.some((w) => w.trim()))
      throw invalid(`The rule needs words [rule:${r.id}]`, { rule: r.id, field: 'words', index: i });
    if (r.check === 'response_time' && !(r.limit !== undefined && r.limit > 0))
      throw invalid(`The rule needs a limit in seconds [rule:${r.id}]`, { rule: r.id, field: 'limit' });
    if (r.check === 'end_sentiment' && r.limit !== undefined && (r.limit < -1 || r.limit > 1))
      throw invalid(`Sentiment limit out of range [rule:${r.id}]`, {
        rule: r.id,
        field: 'limit',
        range: '-1–1',
      });
  }
}
