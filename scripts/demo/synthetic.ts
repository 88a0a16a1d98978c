// Synthetic customers and what they write about: invented names, valid-format
// numbers (generators as in tests/support/synthetic.ts), realistic bank,
// insurance and hospital topics in Chinese and English. No real personal data.
import { randomInt } from 'node:crypto';

export type Lang = 'zh' | 'en';

export interface Topic {
  lang: Lang;
  subject: string;
  /** The first message and an optional follow-up detail. */
  lines: [string, ...string[]];
  /** What an agent answers. */
  reply: string;
}

const pick = <T>(xs: readonly T[]): T => xs[randomInt(0, xs.length)]!;

const ZH_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const ZH_GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '婷', '强', '丽'];
const EN_FIRST = ['Alex', 'Chen', 'Mei', 'Daniel', 'Grace', 'Kevin', 'Lily', 'Oliver', 'Sophie', 'Wei'];
const EN_LAST = ['Zhang', 'Wong', 'Lee', 'Smith', 'Liu', 'Tan', 'Ho', 'Lin', 'Brown', 'Ma'];

/** A mainland mobile number in E.164 (+86 1xx xxxx xxxx). */
export function validPhone(): string {
  return `+861${pick(['38', '39', '58', '86', '88'])}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/** A random 16-digit UnionPay-like card number passing Luhn. */
export function validBankCard(): string {
  const digits = `6222${Array.from({ length: 11 }, () => randomInt(0, 10)).join('')}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  return digits + String((10 - (sum % 10)) % 10);
}

export interface Persona {
  name: string;
  phone: string;
  email: string;
  lang: Lang;
}

/** An invented customer; the email uses the reserved example.cn domain. */
export function persona(lang: Lang = randomInt(0, 2) === 0 ? 'zh' : 'en'): Persona {
  const tag = randomInt(1000, 10_000);
  if (lang === 'zh') {
    const name = pick(ZH_SURNAMES) + pick(ZH_GIVEN) + (randomInt(0, 2) ? pick(ZH_GIVEN) : '');
    return { name, phone: validPhone(), email: `kehu${tag}@example.cn`, lang };
  }
  const first = pick(EN_FIRST);
  const last = pick(EN_LAST);
  return {
    name: `${first} ${last}`,
    phone: validPhone(),
    email: `${first}.${last}${tag}@example.cn`.toLowerCase(),
    lang,
  };
}

const tail = () => validBankCard().slice(-4);

const ZH_TOPICS: Array<() => Topic> = [
  () => ({
    lang: 'zh',
    subject: '银行卡被ATM吞卡',
    lines: [`您好，我的银行卡（尾号${tail()}）在网点ATM被吞了，怎么办？`, '我现在还在网点门口。'],
    reply: '您好，已为您临时冻结该卡，请携带身份证到柜台办理领卡或补卡手续。',
  }),
  () => ({
    lang: 'zh',
    subject: '车险理赔进度',
    lines: ['请问我上周报的车险理赔现在到哪一步了？', `报案人手机 ${validPhone()}`],
    reply: '您的理赔资料已审核通过，预计3个工作日内赔款到账。',
  }),
  () => ({
    lang: 'zh',
    subject: '门诊预约改期',
    lines: ['我想把明天上午心内科的门诊预约改到下周。'],
    reply: '已为您改约到下周二上午9点心内科，请提前15分钟到院取号。',
  }),
  () => ({
    lang: 'zh',
    subject: '信用卡账单分期',
    lines: ['这个月信用卡账单能不能办分期？手续费是多少？'],
    reply: '可以办理3/6/12期分期，月手续费率分别为0.75%、0.7%、0.65%，需要为您办理吗？',
  }),
  () => ({
    lang: 'zh',
    subject: '医保报销材料',
    lines: ['住院费用医保报销需要准备哪些材料？', '出院小结已经拿到了。'],
    reply: '请准备身份证、医保卡、出院小结、费用清单和发票原件，到一楼医保窗口办理。',
  }),
];

const EN_TOPICS: Array<() => Topic> = [
  () => ({
    lang: 'en',
    subject: 'Card swallowed by the ATM',
    lines: [`The ATM at your branch kept my card ending ${tail()}.`, 'Can I collect it today?'],
    reply: 'We have blocked the card for safety; you can collect it at the counter with your ID today.',
  }),
  () => ({
    lang: 'en',
    subject: 'Mortgage rate question',
    lines: ['Is my mortgage rate changing after the LPR cut this month?'],
    reply: 'Your rate resets on 1 January; the new rate will appear on the statement after that.',
  }),
  () => ({
    lang: 'en',
    subject: 'Travel insurance claim',
    lines: ['My flight was cancelled, how do I claim on my travel insurance?', 'I have the airline letter.'],
    reply:
      'Please upload the airline letter and your receipts in the claim form; we answer within 5 working days.',
  }),
  () => ({
    lang: 'en',
    subject: 'Lab test results',
    lines: ['When will my blood test results from Monday be ready?'],
    reply:
      'Your results are ready; you can view them in the patient portal or collect a printout at reception.',
  }),
  () => ({
    lang: 'en',
    subject: 'Unrecognised transaction',
    lines: [`There is a payment I do not recognise on my card ending ${tail()}.`],
    reply: 'We have opened a dispute and issued a temporary block; a new card is on its way.',
  }),
];

/** A topic in the persona's language. */
export function topic(lang: Lang): Topic {
  return pick(lang === 'zh' ? ZH_TOPICS : EN_TOPICS)();
}

/** An agent's answer to a customer's first message (language by script). */
export function agentReply(firstText: string): string {
  const zh = /[\u4e00-\u9fff]/.test(firstText);
  const all = (zh ? ZH_TOPICS : EN_TOPICS).map((t) => t());
  const match = all.find((t) => firstText.includes(t.lines[0].slice(0, 6)));
  return (match ?? all[randomInt(0, all.length)]!).reply;
}
