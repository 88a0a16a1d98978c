import type { BotSession } from './dialogue.ts';
import type { HandoffReason } from './types.ts';

/** Bump when the stored shape changes: a reader treats any other version as no state, never guesses. */
export const DIALOGUE_VERSION = 1;

/** One bot chat's durable dialogue state. */
export interface DialogueRecord {
  contactId: string;
  customerId: string;
  session: BotSession;
  /** Epoch ms of the last turn, for idle expiry. */
  updatedAt: number;
  /** Set by the turn that decided to hand off, before the handoff is carried out (a crash finishes it). */
  handoff?: HandoffReason;
  /** The visitor message the last turn answered and the answer, so a crash between them resends it. */
  lastMessageId?: string;
  reply?: string;
}

/** The stored form: metadata in clear for the sweeper, everything the visitor said or gave in `sealed`. */
export interface DialogueDoc {
  v: number;
  contactId: string;
  customerId: string;
  updatedAt: number;
  turns: number;
  lang: 'zh' | 'en';
  handoff?: HandoffReason;
  lastMessageId?: string;
  sealed: string | null;
}

export function encodeRecord(r: DialogueRecord): DialogueDoc {
  return {
    v: DIALOGUE_VERSION,
    contactId: r.contactId,
    customerId: r.customerId,
    updatedAt: r.updatedAt,
    turns: r.session.turns,
    lang: r.session.facts['lang'] === 'zh' ? 'zh' : 'en',
    ...(r.handoff ? { handoff: r.handoff } : {}),
    ...(r.lastMessageId ? { lastMessageId: r.lastMessageId } : {}),
    sealed: JSON.stringify({ session: r.session, ...(r.reply === undefined ? {} : { reply: r.reply }) }),
  };
}

/** The record a stored doc holds, or why it cannot be trusted. */
export function decodeRecord(d: Partial<DialogueDoc>): DialogueRecord | { problem: string } {
  if (d.v !== DIALOGUE_VERSION) return { problem: `unknown version ${String(d.v)}` };
  if (typeof d.contactId !== 'string' || typeof d.customerId !== 'string' || !Number.isFinite(d.updatedAt))
    return { problem: 'damaged metadata' };
  if (d.handoff !== undefined && !REASONS.has(d.handoff)) return { problem: 'unknown handoff reason' };
  if (typeof d.sealed !== 'string') return { problem: 'sealed state unreadable (key shredded?)' };
  let body: unknown;
  try {
    body = JSON.parse(d.sealed);
  } catch {
    return { problem: 'sealed state is not JSON' };
  }
  const b = body as { session?: unknown; reply?: unknown };
  const session = parseSession(b?.session);
  if (!session) return { problem: 'session has an unexpected shape' };
  return {
    contactId: d.contactId,
    customerId: d.customerId,
    session,
    updatedAt: d.updatedAt as number,
    ...(d.handoff ? { handoff: d.handoff } : {}),
    ...(typeof d.lastMessageId === 'string' ? { lastMessageId: d.lastMessageId } : {}),
    ...(typeof b.reply === 'string' ? { reply: b.reply } : {}),
  };
}

const REASONS = new Set<string>([
  'requested',
  'negative_sentiment',
  'not_understood',
  'no_answer',
  'max_turns',
  'restart',
  'state_lost',
] satisfies HandoffReason[]);
const SLOTS = new Set(['appointment_date', 'appointment_branch', 'card_last4']);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Checks every field botTurn reads, so a damaged doc cannot steer the dialogue. */
function parseSession(x: unknown): BotSession | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const s = x as Record<string, unknown>;
  const facts = s['facts'];
  if (
    !isNum(s['turns']) ||
    !isNum(s['negativeStreak']) ||
    !Array.isArray(s['sentiments']) ||
    !s['sentiments'].every(isNum) ||
    !Array.isArray(s['answered']) ||
    !s['answered'].every(isStr) ||
    typeof facts !== 'object' ||
    facts === null ||
    !Object.values(facts).every(isStr)
  )
    return undefined;
  const intent = s['intent'] as { intent?: unknown; p?: unknown } | undefined;
  if (intent !== undefined && (!isStr(intent?.intent) || !isNum(intent.p))) return undefined;
  const clarify = s['clarify'];
  if (clarify !== undefined && !(Array.isArray(clarify) && clarify.length === 2 && clarify.every(isStr)))
    return undefined;
  const slot = s['slot'];
  if (slot !== undefined && !(isStr(slot) && SLOTS.has(slot))) return undefined;
  return {
    turns: s['turns'] as number,
    sentiments: [...(s['sentiments'] as number[])],
    negativeStreak: s['negativeStreak'] as number,
    facts: { ...(facts as Record<string, string>) },
    answered: [...(s['answered'] as string[])],
    ...(intent ? { intent: { intent: intent.intent as string, p: intent.p as number } } : {}),
    ...(clarify ? { clarify: clarify as [string, string] } : {}),
    ...(slot ? { slot: slot as NonNullable<BotSession['slot']> } : {}),
  };
}
