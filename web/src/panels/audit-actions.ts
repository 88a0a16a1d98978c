import { type Locale, locale } from '../i18n/index.ts';
import { type AuditActionName, auditActionsEn } from './audit-actions.en.ts';
import { auditActionsZhCN } from './audit-actions.zh-CN.ts';

export type { AuditActionName } from './audit-actions.en.ts';

const CATALOGUES: Record<Locale, Record<AuditActionName, string>> = {
  en: auditActionsEn,
  'zh-CN': auditActionsZhCN,
};

/** Every audit action the console can name, in catalogue order. */
export const AUDIT_ACTIONS = Object.keys(auditActionsEn) as AuditActionName[];

const isAction = (a: string): a is AuditActionName => Object.hasOwn(auditActionsEn, a);

/**
 * The translated label of an audit action; an action this console does not
 * know yet (a newer appliance) shows its code rather than nothing.
 * @example
 * actionLabel('user.frozen', 'zh-CN'); // '冻结用户'
 */
export function actionLabel(action: string, lang: Locale = locale.value): string {
  return isAction(action) ? CATALOGUES[lang][action] : action;
}

/** Both catalogues, for the completeness test. */
export const AUDIT_ACTION_CATALOGUES = CATALOGUES;
