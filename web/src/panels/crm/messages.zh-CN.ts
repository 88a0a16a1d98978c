import type { crmEn } from './messages.en.ts';

/** 客户关系管理控制台文案（简体中文）。 */
export const crmZhCN: Record<keyof typeof crmEn, string> = {
  'nav.crm': '客户资料（CRM）',
  'crm.phone': '电话号码',
  'crm.search': '查找',
  'crm.orders': '订单',
  'crm.warranties': '保修',
  'crm.history': '服务记录',
  'crm.external': '外部 CRM',
  'crm.externalUnavailable': '外部客户系统未响应，仅显示本网点保存的信息。',
  'crm.browse': '客户列表',
  'crm.more': '显示更多',
  'crm.import': '导入',
  'crm.reportSummary': '共读取 {rows} 行，导入 {imported} 行',
};
