/**
 * Query-side expansion from how customers talk to how articles are written.
 * Small and explicit on purpose: a term missing here is fixed by adding an
 * article tag, not by growing a thesaurus nobody reviews.
 */
const SYNONYMS: Array<[RegExp, string]> = [
  [/丢|掉了|不见了|被偷|遗失/u, '挂失 丢失'],
  [/忘(了|记)?密码|密码忘|想不起.*密码/u, '重置密码 找回密码'],
  [/网银/u, '网上银行'],
  [/(换|改)(了)?(手机|电话)(号)?/u, '修改预留手机号'],
  [/收不到.*(短信|验证码)/u, '预留手机号 短信验证码'],
  [/看病|看医生|约(个)?号|挂个号/u, '预约挂号'],
  [/报销/u, '理赔'],
  [/\b(lost|stolen|missing)\b/i, 'report lost block card'],
  [/\bforg(o|e)t\b/i, 'reset password'],
  [/\blocked out\b|\bcan'?t (log|sign) ?in\b/i, 'unlock reset password login'],
  [/\b(doctor|appointment)\b/i, 'book appointment outpatient'],
  [/\bnew card\b/i, 'activate card'],
];

/** The query with the canonical wording of any colloquial phrase it contains appended. */
export function expandQuery(query: string): string {
  const extra = SYNONYMS.filter(([re]) => re.test(query)).map(([, add]) => add);
  return extra.length === 0 ? query : `${query} ${extra.join(' ')}`;
}
