import type { BotSession } from './dialogue.ts';
import { isChinese } from './tokens.ts';
import type { HandoffReason } from './types.ts';

/** The routing attributes a handed-off chat carries: what the bot learned, for the agent and the router. */
export function handoffAttributes(
  s: BotSession,
  reason: HandoffReason,
  note?: string,
): Record<string, string | number> {
  const mood = s.sentiments.at(-1) ?? 0;
  const summary = [
    `intent ${s.intent?.intent ?? 'unknown'}`,
    `sentiment ${mood.toFixed(2)}`,
    `handoff ${reason}`,
    ...(note ? [note] : []),
    ...(s.answered.length ? [`answered: ${s.answered.join('; ')}`] : []),
    ...(s.facts['cardLast4'] ? [`card ending ${s.facts['cardLast4']}`] : []),
    ...(s.facts['appointmentDate'] ? [`appointment ${s.facts['appointmentDate']}`] : []),
    ...(s.facts['appointmentBranch'] ? [`branch ${s.facts['appointmentBranch']}`] : []),
  ].join(' | ');
  return {
    bot: 'handed_off',
    intent: s.intent?.intent ?? 'unknown',
    intentConfidence: Math.round((s.intent?.p ?? 0) * 100) / 100,
    sentiment: Math.round(mood * 100) / 100,
    summary: summary.slice(0, 500),
    botTurns: s.turns,
    handoffReason: reason,
    ...(s.facts['cardLast4'] ? { cardLast4: s.facts['cardLast4'] } : {}),
  };
}

const zhOf = (s: BotSession) => s.facts['lang'] === 'zh';

/** Said when the bot hands off without a turn of its own to say it (unreadable state). */
export const handoffNotice = (zh: boolean) =>
  zh ? '正在为您转接人工坐席，请稍候。' : 'Connecting you to an agent, one moment please.';

/** Said when an idle dialogue is closed. */
export const expiredNotice = (zh: boolean, minutes: number) =>
  zh
    ? `由于${minutes}分钟未收到回复，本次智能助手会话已结束。如需帮助，请随时发送消息重新开始。`
    : `This chat with the assistant was closed after ${minutes} minutes without a reply. Send a message any time to start again.`;

/** Chinese when the visitor writes it, or wrote it before and sends no Latin letters now (as botTurn decides). */
export const isZh = (s: BotSession, text = '') => isChinese(text) || (!/[a-z]/i.test(text) && zhOf(s));
