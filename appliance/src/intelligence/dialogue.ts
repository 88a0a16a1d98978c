import type { IntentClassifier } from './classifier.ts';
import { sentiment } from './sentiment.ts';
import { isChinese } from './tokens.ts';
import type { BotReplyKind, HandoffReason, IntelligenceSettings } from './types.ts';

/** One web chat's dialogue with the bot; DialogueMemory keeps it durable across restarts. */
export interface BotSession {
  turns: number;
  sentiments: number[];
  negativeStreak: number;
  intent?: { intent: string; p: number };
  clarify?: [string, string];
  slot?: 'appointment_date' | 'appointment_branch' | 'card_last4';
  facts: Record<string, string>;
  answered: string[];
}

export interface FaqAnswer {
  title: string;
  body: string;
}

export interface TurnOutcome {
  kind: BotReplyKind;
  text: string;
  handoff?: HandoffReason;
}

const LABELS: Record<string, [string, string]> = {
  card_lost: ['挂失银行卡', 'reporting a lost card'],
  cancel_order: ['取消订单', 'cancelling an order'],
  reset_password: ['重置密码', 'resetting your password'],
  balance_inquiry: ['查询余额', 'checking your balance'],
  complaint: ['投诉', 'making a complaint'],
  human_agent: ['转人工', 'talking to an agent'],
  appointment: ['预约', 'booking an appointment'],
  claim_status: ['理赔进度', 'your claim status'],
  greeting: ['打招呼', 'saying hello'],
  thanks: ['致谢', 'saying thanks'],
};
const label = (intent: string, zh: boolean) => (LABELS[intent] ?? [intent, intent])[zh ? 0 : 1];
const say = (zh: boolean, zhText: string, enText: string) => (zh ? zhText : enText);
const FULL_CARD = /\d[\d\s-]{11,}\d/;

export function newSession(): BotSession {
  return { turns: 0, sentiments: [], negativeStreak: 0, facts: {}, answered: [] };
}

/**
 * One bot turn: slot filling first, then handoff triggers, then FAQ, then a
 * clarifying question. The caller sends `text` and, on `handoff`, queues the chat.
 */
export function botTurn(
  s: BotSession,
  text: string,
  deps: {
    classifier: IntentClassifier;
    faq: (q: string) => FaqAnswer | undefined;
    settings: IntelligenceSettings;
  },
): TurnOutcome {
  const zh = isChinese(text) || (!/[a-z]/i.test(text) && s.facts['lang'] === 'zh');
  s.facts['lang'] = zh ? 'zh' : 'en';
  s.turns++;
  const mood = sentiment(text);
  s.sentiments.push(mood);
  s.negativeStreak = mood <= -0.3 ? s.negativeStreak + 1 : 0;
  const ranked = deps.classifier.rank(text);
  const top = deps.classifier.classify(text) ? ranked[0] : undefined;
  const sure = top && top.p >= deps.settings.confidenceThreshold ? top : undefined;
  const handoff = (reason: HandoffReason): TurnOutcome => ({
    kind: 'handoff',
    handoff: reason,
    text: say(zh, '正在为您转接人工坐席，请稍候。', 'Connecting you to an agent, one moment please.'),
  });

  if (sure?.intent === 'human_agent') {
    // Keep what the visitor came for (card_lost …) as the routing intent, not "human_agent".
    s.intent ??= sure;
    return handoff('requested');
  }
  if (s.negativeStreak >= 2) return handoff('negative_sentiment');

  if (s.slot) {
    const filled = fillSlot(s, text, zh);
    if (filled) return filled;
  }
  if (s.clarify) {
    const [a, b] = s.clarify;
    delete s.clarify;
    const pick = /^\s*(1|a|第一|前)/i.test(text) ? a : /^\s*(2|b|第二|后)/i.test(text) ? b : undefined;
    const chosen = pick ?? (sure && (sure.intent === a || sure.intent === b) ? sure.intent : undefined);
    if (!chosen) return handoff('not_understood');
    s.intent = { intent: chosen, p: 1 };
    return startIntent(s, chosen, text, zh, deps) ?? handoff('no_answer');
  }
  if (sure) s.intent = sure;
  if (s.turns > deps.settings.maxBotTurns) return handoff('max_turns');
  const started = sure && startIntent(s, sure.intent, text, zh, deps, false);
  if (started) return started;
  const answer = deps.faq(text);
  if (answer) {
    s.answered.push(answer.title);
    return { kind: 'faq', text: `${answer.title}\n${answer.body}` };
  }
  const [first, second] = ranked;
  if (!sure && first && second && top) {
    s.clarify = [first.intent, second.intent];
    return {
      kind: 'clarify',
      text: say(
        zh,
        `请问您是想办理「${label(first.intent, true)}」还是「${label(second.intent, true)}」？`,
        `Do you mean ${label(first.intent, false)} or ${label(second.intent, false)}?`,
      ),
    };
  }
  return handoff(sure ? 'no_answer' : 'not_understood');
}

function startIntent(
  s: BotSession,
  intent: string,
  text: string,
  zh: boolean,
  deps: Parameters<typeof botTurn>[2],
  faqFallback = true,
): TurnOutcome | undefined {
  if (intent === 'greeting')
    return { kind: 'smalltalk', text: say(zh, '您好！请问有什么可以帮您？', 'Hello! How can I help you?') };
  if (intent === 'thanks')
    return { kind: 'smalltalk', text: say(zh, '不客气，还有其他问题吗？', "You're welcome. Anything else?") };
  if (intent === 'appointment') {
    s.slot = 'appointment_date';
    return {
      kind: 'slot',
      text: say(zh, '好的，请问您想预约哪一天？', 'Sure. Which day would you like to come?'),
    };
  }
  if (intent === 'card_lost') {
    s.slot = 'card_last4';
    return {
      kind: 'slot',
      text: say(
        zh,
        '为保障安全，请只提供卡号的后四位，以便我们确认是哪张卡。',
        'For your safety, please send only the last 4 digits of the card.',
      ),
    };
  }
  if (!faqFallback) return undefined;
  const answer = deps.faq(text);
  if (!answer) return undefined;
  s.answered.push(answer.title);
  return { kind: 'faq', text: `${answer.title}\n${answer.body}` };
}

function fillSlot(s: BotSession, text: string, zh: boolean): TurnOutcome | undefined {
  if (s.slot === 'card_last4') {
    if (FULL_CARD.test(text))
      return {
        kind: 'slot',
        text: say(
          zh,
          '请不要发送完整卡号，只需后四位。',
          'Please do not send the full card number, only the last 4 digits.',
        ),
      };
    const m = /(?:^|\D)(\d{4})(?:\D|$)/.exec(text);
    if (!m) return { kind: 'slot', text: say(zh, '请输入卡号后四位数字。', 'Please type the 4 digits.') };
    s.facts['cardLast4'] = m[1] as string;
    delete s.slot;
    return {
      kind: 'handoff',
      handoff: 'requested',
      text: say(
        zh,
        `已确认尾号 ${m[1]} 的卡，正在为您转接人工坐席办理挂失。`,
        `Card ending ${m[1]} noted. Connecting you to an agent to block it.`,
      ),
    };
  }
  if (s.slot === 'appointment_date') {
    const date =
      /(今天|明天|后天|周[一二三四五六日天]|星期[一二三四五六日天]|\d{1,2}[月/.-]\d{1,2}日?|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}-\d{2}-\d{2})/i.exec(
        text,
      );
    if (!date)
      return {
        kind: 'slot',
        text: say(
          zh,
          '请告诉我具体日期，例如“明天”或“5月20日”。',
          'Please give a day, e.g. "tomorrow" or "2025-05-20".',
        ),
      };
    s.facts['appointmentDate'] = date[1] as string;
    // Weekends only the main branch is open: branch on the date before asking for more.
    const weekend = /周[六日天]|星期[六日天]|saturday|sunday/i.test(date[1] as string);
    if (!weekend) {
      s.slot = 'appointment_branch';
      return {
        kind: 'slot',
        text: say(
          zh,
          `已记录${date[1]}。请问您想去哪个网点？`,
          `${date[1]} noted. Which branch would you like to visit?`,
        ),
      };
    }
    delete s.slot;
    return {
      kind: 'handoff',
      handoff: 'requested',
      text: say(
        zh,
        `周末仅总行营业，已记录${date[1]}，正在转人工为您确认。`,
        `Only the main branch opens at weekends; ${date[1]} noted, an agent will confirm.`,
      ),
    };
  }
  if (s.slot === 'appointment_branch') {
    const branch = text.trim().replace(/\s+/g, ' ');
    if (!branch || branch.length > 60)
      return {
        kind: 'slot',
        text: say(zh, '请告诉我网点名称，例如“中山路支行”。', 'Please name the branch, e.g. "Main Street".'),
      };
    s.facts['appointmentBranch'] = branch;
    delete s.slot;
    const date = s.facts['appointmentDate'] ?? '';
    return {
      kind: 'handoff',
      handoff: 'requested',
      text: say(
        zh,
        `已记录${date}前往${branch}，正在转人工为您确认具体时间。`,
        `${date} at ${branch} noted, an agent will confirm the time.`,
      ),
    };
  }
  return undefined;
}
