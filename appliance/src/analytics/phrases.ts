/**
 * Two-word phrases ("credit card", "信用卡 挂失"). Every pair of neighbouring
 * topic terms of a message is counted as a candidate (stop words skipped,
 * punctuation breaking), and at report time a candidate is kept only when it
 * is a collocation: frequent enough, its words together at least twice as
 * often as chance (PMI), and that association significant (Dunning's G² at
 * p < 0.001, which stays honest with a branch's small counts where PMI alone
 * crowns every rare pair). All counts are per message.
 */

const MAX_PHRASES = 64;

/** G² above this is significant at p < 0.001 (χ², 1 degree of freedom). */
export const PHRASE_G2 = 10.83;

export interface CollocationOptions {
  /** Fewest messages using the phrase (default 3). */
  minCount?: number;
  /** Smallest log2 PMI (default 1: twice as often as chance). */
  minPmi?: number;
  /** Smallest G² (default 10.83). */
  minG2?: number;
}

/** Messages in all (`n`), with the first word (`a`), the second (`b`) and the phrase (`ab`). */
export interface PairCounts {
  n: number;
  a: number;
  b: number;
  ab: number;
}

/**
 * Distinct neighbouring pairs of a message's tokens (`null` = punctuation), joined by a space.
 * @example phraseCandidates(['lost', 'credit', 'card', null, 'fee']) // ['lost credit', 'credit card']
 */
export function phraseCandidates(tokens: ReadonlyArray<string | null>): string[] {
  const out = new Set<string>();
  for (let i = 1; i < tokens.length && out.size < MAX_PHRASES; i++) {
    const a = tokens[i - 1];
    const b = tokens[i];
    if (a && b && a !== b) out.add(`${a} ${b}`);
  }
  return [...out];
}

/** The two words of a phrase, or undefined for a single term. */
export function wordsOf(term: string): [string, string] | undefined {
  const i = term.indexOf(' ');
  return i < 0 ? undefined : [term.slice(0, i), term.slice(i + 1)];
}

const xlogx = (o: number, e: number) => (o > 0 && e > 0 ? o * Math.log(o / e) : 0);

/**
 * log2 PMI and G² of a pair from message counts.
 * @example collocation({ n: 100, a: 10, b: 10, ab: 9 }) // { pmi: ≈3.2, g2: ≈78 }
 */
export function collocation(c: PairCounts): { pmi: number; g2: number } {
  const { n, a, b, ab } = c;
  if (ab < 0 || ab > Math.min(a, b) || a + b - ab > n)
    throw new RangeError('Pair counts must lie within their totals');
  if (ab === 0) return { pmi: Number.NEGATIVE_INFINITY, g2: 0 };
  const cells = [ab, a - ab, b - ab, n - a - b + ab];
  const expect = [(a * b) / n, (a * (n - b)) / n, ((n - a) * b) / n, ((n - a) * (n - b)) / n];
  let g2 = 0;
  for (let i = 0; i < 4; i++) g2 += xlogx(cells[i] ?? 0, expect[i] ?? 0);
  return { pmi: Math.log2((ab * n) / (a * b)), g2: 2 * g2 };
}

/** True when the pair is frequent, positively associated and significantly so. */
export function isCollocation(c: PairCounts, options: CollocationOptions = {}): boolean {
  if (c.ab < (options.minCount ?? 3)) return false;
  const { pmi, g2 } = collocation(c);
  return pmi >= (options.minPmi ?? 1) && g2 >= (options.minG2 ?? PHRASE_G2);
}
