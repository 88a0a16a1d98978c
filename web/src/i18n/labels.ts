import { isMessageKey, type Locale, locale, type Params, translate } from './index.ts';

/**
 * Each kind of coded value the appliance sends, and the catalogue key prefix
 * that labels it. `coverage.test.ts` reads every value of each kind from
 * appliance/src and fails when a key is missing in either locale.
 */
export const LABEL_PREFIX = {
  agentState: 'agentState.',
  reason: 'reason.',
  priority: 'tickets.sla.priority.',
  stateCategory: 'tickets.wf.category.',
  ticketState: 'ticketState.',
  channel: 'inbox.channel.',
  contactState: 'inbox.state.',
  callState: 'callState.',
  qaRule: 'qa.rule.',
  qaMetric: 'qa.metric.',
  intent: 'intent.',
  wrapUp: 'inbox.wrap.',
  ticketAction: 'ticketAction.',
  delivery: 'delivery.',
  handleKind: 'handleKind.',
} as const;
export type LabelKind = keyof typeof LABEL_PREFIX;

/**
 * The label of a coded value in the console language; a value with no label
 * (an admin's own reason code, a custom intent) shows as itself.
 * @example label('reason', 'lunch', 'zh-CN') // '午餐'
 */
export function label(kind: LabelKind, value: string, lang: Locale = locale.value, params?: Params): string {
  const key = `${LABEL_PREFIX[kind]}${value}`;
  return isMessageKey(key) ? translate(lang, key, params) : value;
}

/** How QA states what a rule saw (appliance/src/intelligence/qa.ts `detail`), in catalogue terms. */
const EVIDENCE: readonly [RegExp, string, readonly string[]][] = [
  [/^first agent reply$/, 'first_agent_reply', []],
  [/^no agent reply$/, 'no_agent_reply', []],
  [/^used: (.+)$/, 'forbidden_used', ['words']],
  [/^none used$/, 'forbidden_none', []],
  [/^last customer sentiment (-?[\d.]+)$/, 'end_sentiment', ['sentiment']],
  [/^slowest reply (\d+)s$/, 'slowest_reply', ['seconds']],
  [/^agent confirmed resolution$/, 'resolution_confirmed', []],
  [/^no resolution check$/, 'resolution_missing', []],
  [/^said: (.+)$/, 'phrase_said', ['words']],
  [/^not said$/, 'phrase_missing', []],
  [/^([a-z_]+) (-?[\d.]+) \((<=|>=|<|>) (-?[\d.]+)\)$/, 'acoustic', ['metric', 'value', 'op', 'threshold']],
];

/**
 * A QA finding's evidence in the console language; a detail of a form not
 * known here shows as sent.
 * @example qaEvidenceText('slowest reply 75s', 'zh-CN') // '最慢回复：75 秒'
 */
export function qaEvidenceText(detail: string, lang: Locale = locale.value): string {
  for (const [re, code, names] of EVIDENCE) {
    const m = re.exec(detail);
    if (!m) continue;
    const params: Params = Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? '']));
    if (typeof params['metric'] === 'string') params['metric'] = label('qaMetric', params['metric'], lang);
    if (typeof params['words'] === 'string')
      params['words'] = params['words'].replaceAll(', ', lang === 'zh-CN' ? '、' : ', ');
    const key = `qa.evidence.${code}`;
    return isMessageKey(key) ? translate(lang, key, params) : detail;
  }
  return detail;
}

/**
 * A name the appliance gave something it created itself (the fallback queue,
 * the default workflow and IVR flow, built-in role descriptions): shown in the
 * console language while it is left as shipped; a name an admin chose shows as is.
 * @example shippedName('queue', 'general', 'General', 'zh-CN') // '综合队列'
 */
export function shippedName(
  kind: 'queue' | 'workflow' | 'flow' | 'roleDesc',
  id: string,
  name: string | undefined,
  lang: Locale = locale.value,
): string {
  const key = kind === 'roleDesc' ? `roleDesc.${id}` : `shipped.${kind}.${id}`;
  if (isMessageKey(key) && (!name || name === translate('en', key))) return translate(lang, key);
  return name ?? id;
}
