import type { softphoneEn } from './messages.en.ts';

/** 软电话 (Simplified Chinese). */
export const softphoneZhCN: Record<keyof typeof softphoneEn, string> = {
  'nav.softphone': '软电话',
  'softphone.title': '坐席软电话',
  'softphone.noCalls': '暂无排队来电。',
  'softphone.answer': '接听',
  'softphone.hangup': '挂断',
  'softphone.mute': '静音',
  'softphone.unmute': '取消静音',
  'softphone.hold': '保持',
  'softphone.resume': '恢复通话',
  'softphone.connecting': '正在接通…',
  'softphone.active': '通话中',
  'softphone.idle': '空闲',
  'softphone.stats': '已收 {packets} 个包，抖动 {jitter} 毫秒',
  'softphone.queue': '队列：{queue}',
  'softphone.failed': '通话未能接通。',
} as const;
