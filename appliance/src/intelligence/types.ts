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

/** The built-in text checks (the five rules QA had before scorecards, plus required phrases). */
export type TextCheck =
  | 'greeting'
  | 'forbidden_words'
  | 'end_sentiment'
  | 'response_time'
  | 'resolution'
  | 'required_phrase';
/** @deprecated the five built-in rule ids; a finding's rule is any scorecard rule id now. */
export type QaRule = 'greeting' | 'forbidden_words' | 'end_sentiment' | 'response_time' | 'resolution';

/** What the two recording channels say without words (see acoustic.ts). */
export interface AcousticMetrics {
  /** From the agent's arrival to the end of the recording. */
  durationS: number;
  agentTalkS: number;
  customerTalkS: number;
  /** Agent talk / (agent + customer talk), 0–1; 0 when nobody spoke. */
  agent_talk_ratio: number;
  /** Both channels quiet (hold excluded), seconds. */
  longest_silence_s: number;
  /** Share of the call (hold excluded) with both channels quiet, 0–1. */
  silence_share: number;
  /** Both speaking at once, seconds. */
  overtalk_s: number;
  /** The agent started over the customer and the customer stopped within 2 s. */
  agent_interruptions: number;
  hold_s: number;
  /** From the agent's arrival to their first speech (the whole call when they never spoke). */
  first_agent_words_s: number;
}
export type AcousticMetric = Exclude<keyof AcousticMetrics, 'durationS' | 'agentTalkS' | 'customerTalkS'>;
export type Comparison = '<' | '<=' | '>' | '>=';

interface RuleBase {
  /** Unique within its scorecard; findings name it. */
  id: string;
  /** Points lost when the rule fails. */
  weight: number;
  label?: string;
}
export interface TextRuleDef extends RuleBase {
  kind: 'text';
  check: TextCheck;
  /** Greetings, forbidden words, resolution or required phrases (Latin words match whole words). */
  words?: string[];
  /** end_sentiment: lowest acceptable last-customer sentiment; response_time: slowest reply in seconds. */
  limit?: number;
}
export interface AcousticRuleDef extends RuleBase {
  kind: 'acoustic';
  metric: AcousticMetric;
  /** The rule passes when `metric op threshold`. */
  op: Comparison;
  threshold: number;
}
export type QaRuleDef = TextRuleDef | AcousticRuleDef;

/** A versioned set of weighted rules, for the queues it names (the default card for the rest). */
export interface Scorecard {
  id: string;
  name: string;
  /** Queues scored with this card; empty on the default card. */
  queues: string[];
  rules: QaRuleDef[];
  /** 1 on creation; every saved change adds one. */
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface QaFinding {
  /** The scorecard rule's id (the five built-in ids for the default text rules). */
  rule: string;
  kind?: 'text' | 'acoustic';
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
  /** Present when no rule could run: no text and no recording to measure. */
  status?: 'not_scored';
  reason?: 'no_transcript';
  findings: QaFinding[];
  /** Rules of the card that had nothing to judge (text rules of a call without a transcript, acoustic rules of a chat). */
  notApplicable?: string[];
  /** The scorecard version the result was scored with. */
  scorecard?: { id: string; version: number };
  /** Voice contacts: what the recording's two channels measured. */
  acoustic?: AcousticMetrics;
  scoredAt: string;
  closedAt: string;
  override?: { score: number; comment: string; reviewerId: string; at: string };
}

export interface QaReportRow {
  agentId: string;
  contacts: number;
  averageScore: number;
  failedRules: Partial<Record<string, number>>;
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
    'intelligence.qa_scored': {
      contactId: string;
      agentId?: string;
      score: number;
      failed: string[];
      scorecard?: { id: string; version: number };
    };
    'intelligence.scorecard_saved': { scorecardId: string; version: number; queues: string[]; rules: number };
    'intelligence.scorecard_deleted': { scorecardId: string; version: number };
    /** The acoustic QA queue was full: this call is not measured (alarm). */
    'intelligence.acoustic_dropped': { contactId: string; callId: string; queued: number };
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
