import type { routingEn } from './messages.en.ts';

/** 路由配置文案（简体中文）。 */
export const routingZhCN: Record<keyof typeof routingEn, string> = {
  'nav.routing': '路由配置',
  'routing.tab.queues': '队列',
  'routing.tab.skills': '技能',
  'routing.tab.workflows': '路由策略',
  'routing.tab.calendars': '营业时间',
  'routing.tab.agents': '坐席档案',
  'routing.tab.match': '匹配测试',
  'routing.id': '标识',
  'routing.userId': '用户标识',
  'routing.json': '定义（JSON）',
  'routing.badJson': 'JSON 格式不正确。',
  'routing.errorAt': '问题出在条件的第 {position} 个字符处。',
  'routing.errorFields': '请检查以下字段：{fields}',
  'routing.matchTest': '该会话会匹配哪些坐席？',
  'routing.channel': '渠道',
  'routing.attributes': '会话属性（JSON）',
  'routing.run': '测试',
  'routing.noFilter': '没有匹配的过滤条件且策略无默认目标：该会话将被拒绝。',
  'routing.filterMatched': '命中路由策略 {workflow} 的过滤条件“{filter}”。',
  'routing.target': '目标 {n}：队列 {queue}，坐席条件 {expr}',
  'routing.free': '当前空闲',
};
