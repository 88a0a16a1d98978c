/**
 * Intelligent interaction: intent classification, sentiment, the web chat bot,
 * agent assist and quality inspection (质检). These types are shared by the
 * services beside this file and by the console.
 */

export interface IntelligenceSettings {
  /** The bot answers new web chats before routing offers them. */
  botEnabled: boolean;
  /** Below this top-intent probability the bot asks a clarifying question. */
  confidenceThreshold: number;
  /** The minimum BM25 score of a public KB hit the bot answers with. */
  faqScoreThreshold: number;
  /** Bot turns before it hands off anyway. */
  maxBotTurns: number;
  /** A bot dialogue idle this long is closed; the visitor's next message starts afresh. */
  botIdleMinutes: number;
}

export type HandoffReason =
  | 'requested'
  | 'negative_sentiment'
  | 'not_understood'
  | 'no_answer'
  | 'max_turns'
  | 'restart'
  /** The stored dialogue state could not be read (newer version, failed decryption, damaged). */
  | 'state_lost';

export type BotReplyKind = 'faq' | 'clarify' | 'slot' | 'smalltalk' | 'handoff';

export type QaRule = 'greeting' | 'forbidden_words' | 'end_sentiment' | 'response_time' | 'resolution';

export interface QaFinding {
  rule: QaRule;
  passed: boolean;
  /** Points lost (0 when passed). */
  penalty: number;
  detail: string;
}

export interface QaResult {
  contactId: string;
  channel: string;
  agentId?: string;
  /** 0–100 as scored by the rules; absent when not scored. */
  score?: number;
  /** Present when the rules did not run: the contact had no text (a call without a transcript). */
  status?: 'not_scored';
  reason?: 'no_transcript';
  findings: QaFinding[];
  scoredAt: string;
  closedAt: string;
  override?: { score: number; comment: string; reviewerId: string; at: string };
}

export interface QaReportRow {
  agentId: string;
  contacts: number;
  averageScore: number;
  failedRules: Partial<Record<QaRule, number>>;
}

/** A transcript line as QA sees it: who spoke, when and what. */
export interface TranscriptLine {
  role: 'customer' | 'agent' | 'bot';
  at: string;
  text: string;
}

export interface Suggestion {
  kind: 'kb' | 'past_reply';
  title: string;
  text: string;
  articleId?: string;
}

export interface AssistView {
  contactId: string;
  customerId: string;
  intent?: { intent: string; p: number };
  sentimentTrend: number[];
  history: {
    lastContacts: Array<{ id: string; channel: string; state: string; createdAt: string; intent?: string }>;
    openTickets: Array<{ id: string; number: string; subject: string; state: string }>;
    orders: Array<{ orderNo: string; date: string; status: string; amount: number }>;
  };
  suggestions: Suggestion[];
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'intelligence.bot_replied': { contactId: string; kind: BotReplyKind; intent?: string; turn: number };
    'intelligence.handed_off': {
      contactId: string;
      reason: HandoffReason;
      intent?: string;
      sentiment: number;
      botTurns: number;
    };
    'intelligence.dialogue_expired': { contactId: string; turns: number; idleMinutes: number };
    'intelligence.example_labelled': { intent: string; source: 'wrap_up' | 'api'; contactId?: string };
    'intelligence.model_retrained': { examples: number; intents: number };
    'intelligence.qa_scored': { contactId: string; agentId?: string; score: number; failed: QaRule[] };
    'intelligence.qa_not_scored': { contactId: string; agentId?: string; reason: 'no_transcript' };
    /** Start-up migration (issue 14): QA results computed from the synthetic call line. */
    'intelligence.qa_results_dropped': { dropped: number; rescored: number };
    'intelligence.qa_reviewed': { contactId: string; score: number; reviewerId: string };
    'intelligence.assist_updated': {
      contactId: string;
      recipientUserId: string;
      intent?: string;
      sentiment: number;
      suggestions: number;
    };
    'intelligence.settings_changed': { fields: string[] };
  }
}

declare module '../modules.ts' {
  interface Services {
    intelligence: import('./service.ts').IntelligenceService;
  }
}
