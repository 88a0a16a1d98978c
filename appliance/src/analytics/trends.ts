/**
 * Which terms moved: Dunning's log-likelihood ratio G² on the 2×2 table
 * (term vs other terms) × (window vs baseline). G² stays honest with the
 * small counts of a branch office, where a χ² or a plain ratio would crown
 * every term seen twice. Counts are smoothed by ½ so a term absent from one
 * side still gets a finite, comparable score.
 */

/** G² above this is significant at p < 0.05 (χ², 1 degree of freedom). */
export const G2_CRITICAL = 3.84;

export type TrendKind = 'emerging' | 'rising' | 'falling';

export interface TermTotals {
  term: string;
  /** Messages using the term in the window / in the baseline. */
  window: number;
  baseline: number;
  /** Distinct customers using it in the window / baseline (already pseudonymous). */
  windowCustomers: number;
  baselineCustomers: number;
  /** Per-day counts over baseline + window, oldest first (sparkline data). */
  series: number[];
}

export interface ScoredTerm extends TermTotals {
  /** Signed G²: positive when the term is more frequent in the window. */
  score: number;
  /** Smoothed ratio of the term's share of all terms, window over baseline. */
  ratio: number;
}

export interface TrendResult {
  emerging: ScoredTerm[];
  rising: ScoredTerm[];
  falling: ScoredTerm[];
  /** Most used terms in the window, whatever their trend. */
  top: ScoredTerm[];
}

const xlogx = (o: number, e: number) => (o > 0 && e > 0 ? o * Math.log(o / e) : 0);

/**
 * Signed, ½-smoothed G² of a term seen `a` times among `n1` window terms and
 * `b` times among `n2` baseline terms.
 * @example logLikelihood(30, 1000, 2, 4000) // ≈ 82 (rising)
 */
export function logLikelihood(a: number, n1: number, b: number, n2: number): number {
  if (a < 0 || b < 0 || a > n1 || b > n2) throw new RangeError('Term counts must lie within their totals');
  const o11 = a + 0.5;
  const o12 = b + 0.5;
  const o21 = n1 - a + 0.5;
  const o22 = n2 - b + 0.5;
  const total = o11 + o12 + o21 + o22;
  const row1 = o11 + o12;
  const row2 = o21 + o22;
  const col1 = o11 + o21;
  const col2 = o12 + o22;
  const g2 =
    2 *
    (xlogx(o11, (row1 * col1) / total) +
      xlogx(o12, (row1 * col2) / total) +
      xlogx(o21, (row2 * col1) / total) +
      xlogx(o22, (row2 * col2) / total));
  return o11 / col1 >= o12 / col2 ? g2 : -g2;
}

/**
 * Scores and classifies terms. A term is listed only when at least `k`
 * distinct customers used it in the period shown for it (the window; the
 * baseline for falling terms), so no term can point at one or two people.
 * @example trends(rows, { k: 3, limit: 10 }).rising[0]?.term
 */
export function trends(
  rows: readonly TermTotals[],
  options: { k: number; limit: number; minCount?: number },
): TrendResult {
  const minCount = options.minCount ?? 3;
  let n1 = 0;
  let n2 = 0;
  for (const r of rows) {
    n1 += r.window;
    n2 += r.baseline;
  }
  const scored: ScoredTerm[] = rows.map((r) => ({
    ...r,
    score: logLikelihood(r.window, n1, r.baseline, n2),
    ratio: (r.window + 0.5) / (n1 + 0.5) / ((r.baseline + 0.5) / (n2 + 0.5)),
  }));
  const shownNow = scored.filter((r) => r.windowCustomers >= options.k && r.window >= minCount);
  const byScore = (a: ScoredTerm, b: ScoredTerm) => b.score - a.score || b.window - a.window;
  const noBaseline = n2 === 0;
  return {
    // Without any baseline nothing can be significant yet; new terms are still worth seeing.
    emerging: shownNow
      .filter((r) => r.baseline === 0 && (noBaseline || r.score >= G2_CRITICAL))
      .sort(byScore)
      .slice(0, options.limit),
    rising: shownNow
      .filter((r) => r.baseline > 0 && r.score >= G2_CRITICAL)
      .sort(byScore)
      .slice(0, options.limit),
    falling: scored
      .filter((r) => r.baselineCustomers >= options.k && r.baseline >= minCount && r.score <= -G2_CRITICAL)
      .sort((a, b) => a.score - b.score || b.baseline - a.baseline)
      .slice(0, options.limit),
    top: [...shownNow].sort((a, b) => b.window - a.window || b.score - a.score).slice(0, options.limit),
  };
}
