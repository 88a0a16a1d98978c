import { inboxZhCN } from '../inbox/messages.zh-CN.ts';
import type { agentEn } from './messages.en.ts';

/** 坐席工作台文案（简体中文）。 */
export const agentZhCN: Record<keyof typeof agentEn, string> = {
  'nav.agentDesk': '坐席工作台',
  'agent.state': '我的状态',
  'agent.available': '就绪',
  'agent.notReady': '未就绪：{reason}',
  'agent.offline': '离线',
  'agent.noOffers': '暂无待接入的会话。',
  'agent.noProfile': '您还没有坐席档案：可以直接开始接待所有渠道，或联系班长配置技能。',
  'agent.becomeAvailable': '开始接待',
  'agent.offerTitle': '新的{channel}会话',
  'agent.offerCountdown': '请在 {seconds} 秒内接听',
  'agent.offerQueue': '队列：{queue}',
  'agent.accept': '接受',
  'agent.reject': '拒绝',
  'agent.voiceCall': '语音通话',
  'agent.offerCustomer': '客户',
  'agent.offerCustomerUnknown': '暂未识别',
  'agent.offerChannel': '渠道',
  'agent.offerQueueLabel': '队列',
  'agent.offerWaited': '已等待',
  'agent.contactClosed': '会话已结束，已回到工作台。',
  ...inboxZhCN,
};
