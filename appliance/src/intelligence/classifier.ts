import { BadInputError, OutOfRangeError } from '../contracts/index.ts';
import { features } from './tokens.ts';

export interface LabelledExample {
  text: string;
  intent: string;
  /** Agent-confirmed examples count more than seed ones so feedback can move a label. */
  weight?: number;
}

export interface IntentScore {
  intent: string;
  /** Posterior probability over the known intents (sums to 1). */
  p: number;
}

/**
 * Multinomial naive Bayes with Laplace smoothing. Training is additive
 * (counts only), so a confirmed label is learned without a full rebuild.
 */
export class IntentClassifier {
  #docs = new Map<string, number>();
  #tokens = new Map<string, Map<string, number>>();
  #totals = new Map<string, number>();
  #vocab = new Set<string>();
  #n = 0;

  constructor(examples: readonly LabelledExample[] = []) {
    for (const e of examples) this.add(e);
  }

  add(example: LabelledExample): void {
    if (!example.intent) throw new BadInputError('INTELLIGENCE_INVALID_INPUT', 'An example needs an intent');
    const w = example.weight ?? 1;
    if (!(w > 0)) throw new OutOfRangeError('INTELLIGENCE_INVALID_INPUT', 'weight must be > 0');
    const intent = example.intent;
    this.#docs.set(intent, (this.#docs.get(intent) ?? 0) + w);
    this.#n += w;
    const counts = this.#tokens.get(intent) ?? new Map<string, number>();
    this.#tokens.set(intent, counts);
    for (const t of features(example.text)) {
      counts.set(t, (counts.get(t) ?? 0) + w);
      this.#totals.set(intent, (this.#totals.get(intent) ?? 0) + w);
      this.#vocab.add(t);
    }
  }

  get intents(): string[] {
    return [...this.#docs.keys()];
  }

  /** Intents ranked by posterior; unknown words are ignored (they only add noise). */
  rank(text: string): IntentScore[] {
    const toks = features(text).filter((t) => this.#vocab.has(t));
    const v = this.#vocab.size;
    const logs: Array<[string, number]> = [];
    for (const [intent, docs] of this.#docs) {
      const counts = this.#tokens.get(intent) as Map<string, number>;
      const total = this.#totals.get(intent) ?? 0;
      let lp = Math.log(docs / this.#n);
      for (const t of toks) lp += Math.log(((counts.get(t) ?? 0) + 1) / (total + v));
      logs.push([intent, lp]);
    }
    if (!logs.length) return [];
    const max = Math.max(...logs.map(([, l]) => l));
    const exp = logs.map(([i, l]) => [i, Math.exp(l - max)] as const);
    const sum = exp.reduce((s, [, e]) => s + e, 0);
    return exp.map(([intent, e]) => ({ intent, p: e / sum })).sort((a, b) => b.p - a.p);
  }

  /** The top intent, or `undefined` when the text has no known word at all. */
  classify(text: string): IntentScore | undefined {
    if (!features(text).some((t) => this.#vocab.has(t))) return undefined;
    return this.rank(text)[0];
  }
}
