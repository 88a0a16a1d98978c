/**
 * Topic terms from customer text, with personal data removed BEFORE
 * segmentation: only the resulting terms are ever counted, never the text.
 * Node's ICU word segmenter is used directly rather than the knowledge
 * base's search tokenizer, whose unigrams and overlapping bigrams suit
 * recall but would make every other "topic" a single character.
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Whole spans that are personal data whatever their surroundings. */
const SCRUB: readonly RegExp[] = [
  /\b(?:https?:\/\/|ftp:\/\/|www\.)\S+/giu,
  // Phone, card, ID and account numbers, also spaced or dashed ("6222 0212 …", "138-0013-8000").
  /[+]?\d(?:[\d\s().-]{4,}\d)?[xX]?/gu,
];
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/** An address is at most 254 characters (RFC 5321); a longer run holding `@` is dropped whole. */
const MAX_EMAIL = 254;
const HAS_DIGIT = /\p{N}/u;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;
const LATIN_WORD = /^[a-z][a-z'-]*$/;
/** Chinese numerals spell out numbers ("一三八…") just as digits do. */
const ZH_NUMERAL = /^[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾]+$/u;
const MAX_TERMS = 64;

const EN_STOP = new Set(
  (
    'a about after again all also am an and any are as at be been before being but by can could did do does ' +
    'doing done dont for from get got had has have having he hello her here hi him his how i if im in into ' +
    'is it its just me more my no not now of ok okay on one only or other our out over please same she so some ' +
    'still such than thank thanks that the their them then there these they this those to too up us very want ' +
    'was we were what when where which while who why will with would yes yet you your need know like'
  ).split(' '),
);
const ZH_STOP = new Set(
  (
    '我们 你们 他们 她们 它们 我的 你的 您的 这个 那个 这些 那些 这样 那样 怎么 怎么办 怎样 如何 什么 哪些 哪里 哪个 ' +
    '为什么 可以 需要 一下 请问 你好 您好 谢谢 好的 没有 不是 就是 还是 但是 因为 所以 如果 已经 现在 今天 ' +
    '时候 一个 自己 知道 觉得 问题 帮忙 麻烦 可能 应该 是否 或者 然后 还有 不能 能够 一直 我要 我想 想要 ' +
    '是不是 有没有 能不能 可不可以 不了 不到 一些 这里 那里'
  ).split(' '),
);
/**
 * Bank and clinic words ICU splits or glues wrongly (银行卡 → 银行|卡, 挂失 → 挂|失); matched first,
 * longest first, so "银行卡挂失" counts 银行卡 and 挂失 rather than 银行 and 卡挂失.
 */
const LEXICON = (
  '手机银行 银行卡 信用卡 储蓄卡 借记卡 社保卡 医保卡 身份证 验证码 手续费 挂失 补卡 盗刷 退款 退费 转账 ' +
  '汇款 理财 贷款 还款 利息 利率 年费 额度 提额 分期 账单 开户 销户 激活 冻结 解冻 密码 网银 网点 ' +
  '预约 挂号 复诊 处方 缴费 医保 住院 出院 门诊 投诉 逾期 限额 到账 排队'
)
  .split(' ')
  .sort((a, b) => b.length - a.length);
const LEXICON_RE = new RegExp(LEXICON.join('|'), 'gu');
/** Function characters: they end a run of single characters (see `topicTerms`). */
const ZH_STOP_CHARS = new Set(
  '的了吗呢吧啊呀么嘛我你您他她它们是在有和与或及就都也还要想请问怎么办什哪些个这那去能会可以被把给让对从很太又再已不没'.split(
    '',
  ),
);

/** Replaces URLs, emails and digit runs (phones, cards, IDs) with `by` (a space unless told). */
export function scrub(text: string, by = ' '): string {
  let out = text.normalize('NFKC');
  for (const re of SCRUB) out = out.replace(re, by);
  // Emails only inside whitespace-free runs that hold an '@', found by splitting (linear):
  // the address pattern over a long word backtracks from every position (35k letters took 3.6 s).
  if (!out.includes('@')) return out;
  return out
    .split(/(\s+)/u)
    .map((run) => (!run.includes('@') ? run : run.length > MAX_EMAIL ? by : run.replace(EMAIL, by)))
    .join('');
}

/** True when a segment may be counted as a topic term. */
export function isTopicTerm(word: string): boolean {
  if (HAS_DIGIT.test(word) || word.includes('@')) return false;
  if (CJK.test(word)) {
    if ([...word].length < 2 || [...word].length > 8) return false;
    return !ZH_STOP.has(word) && !ZH_NUMERAL.test(word);
  }
  if (!LATIN_WORD.test(word) || word.length < 3 || word.length > 20) return false;
  return !EN_STOP.has(word) && !EN_STOP.has(word.replace(/'/g, ''));
}

/** Where removed personal data stood: punctuation, so no phrase is made across it. */
const GAP = ' ; ';
const PUNCT = /[^\s]/u;

/**
 * The topic terms of one message in reading order, with `null` wherever
 * punctuation (or removed personal data) stands between them. Stop words
 * and other non-terms are skipped, not marked, so "lost my card" gives
 * ['lost', 'card'] and a phrase may be made across them.
 * @example topicTokens('信用卡挂失。网银') // ['信用卡', '挂失', null, '网银']
 */
export function topicTokens(text: string): Array<string | null> {
  const out: Array<string | null> = [];
  // ICU's dictionary splits many domain words into characters (挂失 → 挂|失, 盗刷 → 盗|刷); a run of
  // single content characters between function characters is taken as one word.
  let run = '';
  const push = (w: string) => {
    if (isTopicTerm(w)) out.push(w);
  };
  const flush = () => {
    if (run) push(run);
    run = '';
  };
  const clean = scrub(text, GAP).toLowerCase();
  let from = 0;
  const words = (part: string) => {
    for (const s of segmenter.segment(part)) {
      const single = s.isWordLike && s.segment.length === 1 && CJK.test(s.segment);
      if (single && !ZH_STOP_CHARS.has(s.segment)) {
        run += s.segment;
        continue;
      }
      flush();
      if (!s.isWordLike) {
        if (PUNCT.test(s.segment) && out.at(-1) !== null) out.push(null);
        continue;
      }
      push(s.segment.replace(/^['-]+|['-]+$/g, ''));
    }
  };
  for (const m of clean.matchAll(LEXICON_RE)) {
    words(clean.slice(from, m.index));
    flush();
    out.push(m[0]);
    from = m.index + m[0].length;
  }
  words(clean.slice(from));
  flush();
  return out;
}

/**
 * Distinct topic terms of one message (a message counts a term once, so one
 * repetitive message cannot make a trend), at most 64.
 * @example topicTerms('我要退款，电话13800138000') // ['退款', '电话']
 */
export function topicTerms(text: string): string[] {
  return distinctTerms(topicTokens(text));
}

/** Distinct non-null tokens, first seen first, at most 64. */
export function distinctTerms(tokens: ReadonlyArray<string | null>): string[] {
  const terms = new Set<string>();
  for (const t of tokens) {
    if (t === null) continue;
    terms.add(t);
    if (terms.size >= MAX_TERMS) break;
  }
  return [...terms];
}
