/**
 * Search terms for mixed Chinese/English text. Chinese has no spaces and the
 * ICU word dictionary shipped with Node splits many domain words (挂失 → 挂|失),
 * so a CJK run yields its segmenter words plus character bigrams and unigrams:
 * bigrams recover the domain words, unigrams let colloquial queries
 * ("卡丢了") meet formal titles ("挂失银行卡").
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/gu;
const LATIN = /[a-z0-9]+/g;

const EN_STOP = new Set(
  (
    'a an and are as at be by can do does for from how i if in is it its me my of on or our ' +
    'so that the this to was we what when where which who why will with you your please want need'
  ).split(' '),
);
/** Function characters and question words that carry no topic. */
const ZH_STOP_CHARS = new Set(
  '的了吗呢吧啊呀么我你他她它们是在有和与或及就都也还要想请问怎么办什哪些个这那去能会可以'.split(''),
);
const ZH_STOP_WORDS = new Set([
  '怎么',
  '怎么办',
  '如何',
  '什么',
  '哪些',
  '可以',
  '需要',
  '我的',
  '一下',
  '请问',
  '为什么',
  '哪里',
]);

/**
 * Light English stemming, enough to meet "passwords"/"password" and
 * "activating"/"activated"/"activate"; a final "e" is dropped so all three agree.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(ss|sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length >= 6) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length >= 5) w = w.slice(0, -2);
  if (/([^aeioulsz])\1$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

function latinTerms(text: string, out: string[]): void {
  for (const m of text.toLowerCase().matchAll(LATIN)) {
    const w = m[0];
    if (!EN_STOP.has(w)) out.push(stem(w));
  }
}

function cjkTerms(run: string, out: string[]): void {
  for (const s of segmenter.segment(run)) {
    if (s.isWordLike && s.segment.length >= 2 && !ZH_STOP_WORDS.has(s.segment)) out.push(s.segment);
  }
  const chars = [...run];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    if (!ZH_STOP_CHARS.has(c)) out.push(c);
    if (next !== undefined && !(ZH_STOP_CHARS.has(c) && ZH_STOP_CHARS.has(next))) {
      const bi = c + next;
      if (!ZH_STOP_WORDS.has(bi)) out.push(bi);
    }
  }
}

/** Terms of `text`, in order, duplicates kept (term frequency matters). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(CJK_RUN)) {
    latinTerms(text.slice(last, m.index), out);
    cjkTerms(m[0], out);
    last = m.index + m[0].length;
  }
  latinTerms(text.slice(last), out);
  return out;
}

/** True when the text holds any Chinese character. */
export function hasCjk(text: string): boolean {
  return CJK.test(text);
}
