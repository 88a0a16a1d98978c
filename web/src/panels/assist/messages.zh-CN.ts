import type { assistEn } from './messages.en.ts';

/** 坐席辅助（简体中文）。 */
export const assistZhCN: Record<keyof typeof assistEn, string> = {
  'assist.title': '坐席辅助',
  'assist.intent': '意图：{intent}（{p}%）',
  'assist.noIntent': '尚未识别意图。',
  'assist.sentiment': '客户情绪',
  'assist.sentiment.negative': '负面',
  'assist.sentiment.neutral': '中性',
  'assist.sentiment.positive': '正面',
  'assist.history': '历史记录',
  'assist.lastContacts': '此前 {count} 次咨询',
  'assist.openTickets': '未结工单',
  'assist.orders': '最近订单',
  'assist.noHistory': '没有历史咨询、工单或订单。',
  'assist.suggestions': '推荐话术',
  'assist.noSuggestions': '暂无推荐。',
  'assist.kind.kb': '知识库',
  'assist.kind.past_reply': '历史回复',
  'assist.insert': '插入',
};
