/**
 * Features for intent classification over mixed Chinese/English text. Chinese
 * yields segmenter words plus character bigrams and unigrams: the ICU
 * dictionary splits many domain words (挂失 → 挂|失) and bigrams recover them.
 */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/gu;
const LATIN = /[a-z0-9]+/g;
const EN_STOP = new Set(
  'a an the is are am to of i my me you your it for and please can could would'.split(' '),
);

function stem(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith('ing') && w.length >= 6) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length >= 5) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

export function features(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  for (const m of lower.matchAll(LATIN)) if (!EN_STOP.has(m[0])) out.push(stem(m[0]));
  for (const m of lower.matchAll(CJK_RUN)) {
    const run = m[0];
    for (const s of segmenter.segment(run)) if (s.isWordLike && s.segment.length > 1) out.push(s.segment);
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      out.push(chars[i] as string);
      if (i + 1 < chars.length) out.push(`${chars[i]}${chars[i + 1]}`);
    }
  }
  return out;
}

export function isChinese(text: string): boolean {
  return CJK.test(text);
}
