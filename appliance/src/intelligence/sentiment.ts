/**
 * Lexicon sentiment for zh and en. A negator (不/没/别/not/never/no) within the
 * two preceding tokens flips a word's polarity, so 不满意 and "not happy" are
 * negative while 不错 is listed as its own positive word.
 */
const POS: Record<string, number> = {
  满意: 1,
  谢谢: 1,
  感谢: 1,
  好的: 0.5,
  很好: 1,
  不错: 1,
  方便: 0.5,
  解决: 0.7,
  专业: 0.7,
  高兴: 1,
  开心: 1,
  好: 0.5,
  棒: 1,
  清楚: 0.5,
  有用: 0.7,
  耐心: 0.7,
  good: 1,
  great: 1,
  thanks: 1,
  thank: 1,
  happy: 1,
  satisfied: 1,
  helpful: 1,
  excellent: 1,
  perfect: 1,
  resolved: 0.7,
  fine: 0.5,
  nice: 0.7,
  appreciate: 1,
  solved: 0.7,
  clear: 0.5,
};
const NEG: Record<string, number> = {
  差: 1,
  糟糕: 1,
  生气: 1,
  愤怒: 1,
  失望: 1,
  投诉: 0.7,
  垃圾: 1,
  恶劣: 1,
  麻烦: 0.5,
  慢: 0.5,
  骗: 1,
  烦: 0.7,
  气死: 1,
  无语: 0.7,
  问题: 0.3,
  不满: 1,
  坑: 0.7,
  bad: 1,
  terrible: 1,
  awful: 1,
  angry: 1,
  annoyed: 1,
  disappointed: 1,
  worst: 1,
  useless: 1,
  complaint: 0.7,
  complain: 0.7,
  slow: 0.5,
  unacceptable: 1,
  horrible: 1,
  ridiculous: 1,
  scam: 1,
  problem: 0.3,
  unhappy: 1,
};
const NEGATORS = new Set([
  '不',
  '没',
  '没有',
  '别',
  '未',
  'not',
  'never',
  'no',
  "don't",
  "didn't",
  "isn't",
  "wasn't",
]);
/** Listed whole so the negator rule does not split them. */
const FIXED = ['不错', '不满意', '不满', '没问题', '不客气', '气死', '没有', '好的', '很好'];
const FIXED_SCORE: Record<string, number> = { 不满意: -1, 没问题: 0.5, 不客气: 0.3 };
const WORD = /[a-z']+|[\u3400-\u9fff]/gu;

function tokens(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  let i = 0;
  const matches = [...lower.matchAll(WORD)];
  while (i < matches.length) {
    const m = matches[i] as RegExpMatchArray;
    const at = m.index ?? 0;
    const fixed = FIXED.find((f) => lower.startsWith(f, at));
    if (fixed) {
      out.push(fixed);
      i += [...fixed].length;
      continue;
    }
    // Two-character lexicon words (满意, 失望) are read whole when present.
    const two = lower.slice(at, at + 2);
    if (/^[\u3400-\u9fff]{2}$/u.test(two) && (two in POS || two in NEG)) {
      out.push(two);
      i += 2;
      continue;
    }
    out.push(m[0]);
    i++;
  }
  return out;
}

/** −1 (very negative) … 1 (very positive); 0 when no sentiment word is present. */
export function sentiment(text: string): number {
  let sum = 0;
  let hits = 0;
  // A negator reaches only within its clause: 没有了，谢谢 stays thankful.
  for (const clause of text.split(/[,，。.;；!！?？、]/u)) {
    const toks = tokens(clause);
    toks.forEach((t, i) => {
      let v = FIXED_SCORE[t] ?? (POS[t] ?? 0) - (NEG[t] ?? 0);
      if (v === 0) return;
      const negated = [toks[i - 1], toks[i - 2]].some((p) => p !== undefined && NEGATORS.has(p));
      if (negated && !(t in FIXED_SCORE)) v = -v * 0.8;
      sum += v;
      hits++;
    });
  }
  if (!hits) return 0;
  const exclaim = /[!！]/.test(text) ? 1.2 : 1;
  return Math.max(-1, Math.min(1, (sum / Math.sqrt(hits)) * exclaim * 0.8));
}
