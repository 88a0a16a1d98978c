import { BadInputError, OutOfRangeError } from '../contracts/index.ts';
import type { Contact, ConversationService, TimelineEntry } from '../conversations/index.ts';
import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { IntentClassifier, type IntentScore } from './classifier.ts';
import { IntelligenceError } from './errors.ts';
import { builtInTextRules, DEFAULT_QA_RULES, type QaRules, scoreWithCard } from './qa.ts';
import { DEFAULT_ACOUSTIC_RULES, defaultScorecard } from './scorecard-rules.ts';
import type { Scorecards } from './scorecards.ts';
import { seedExamples } from './seed.ts';
import type { IntelligenceStore, QaFilter } from './store.ts';
import type {
  AcousticMetrics,
  IntelligenceSettings,
  QaReportRow,
  QaResult,
  Scorecard,
  TranscriptLine,
} from './types.ts';

const log = createLogger('intelligence');
/** Agent-confirmed labels weigh as much as three seed utterances. */
const CONFIRMED_WEIGHT = 3;

export interface IntelligenceServiceOptions {
  bus: EventBus;
  conversations?: ConversationService;
  /** Without scorecards (unit tests), QA scores with the default card kept in memory. */
  scorecards?: Scorecards;
  qaRules?: QaRules;
  now?: () => Date;
}

/** The queue a contact was routed to (the IVR's, or a channel's attribute). */
const queueOf = (c: Contact) => {
  const q = c.attributes['ivrQueue'] ?? c.attributes['queue'];
  return typeof q === 'string' ? q : undefined;
};

/**
 * The model (seed + learned examples, retrained incrementally), the bot's
 * settings, and quality inspection of closed contacts.
 */
export class IntelligenceService {
  #store: IntelligenceStore;
  #bus: EventBus;
  #conversations: ConversationService | undefined;
  #scorecards: Scorecards | undefined;
  #fallbackCard: Scorecard;
  #now: () => Date;
  #model = new IntentClassifier(seedExamples());
  #examples = seedExamples().length;
  #settings: IntelligenceSettings | undefined;

  constructor(store: IntelligenceStore, options: IntelligenceServiceOptions) {
    this.#store = store;
    this.#bus = options.bus;
    this.#conversations = options.conversations;
    this.#scorecards = options.scorecards;
    this.#now = options.now ?? (() => new Date());
    this.#fallbackCard = {
      ...defaultScorecard(this.#now().toISOString()),
      rules: [...builtInTextRules(options.qaRules ?? DEFAULT_QA_RULES), ...DEFAULT_ACOUSTIC_RULES],
    };
  }

  /** Replays learned examples over the seed set. */
  async load(): Promise<void> {
    for (const e of await this.#store.examples()) {
      this.#model.add(e);
      this.#examples++;
    }
    this.#settings = await this.#store.settings();
  }

  get classifier(): IntentClassifier {
    return this.#model;
  }

  classify(text: string): { top?: IntentScore; ranked: IntentScore[] } {
    const top = this.#model.classify(text);
    return { ...(top ? { top } : {}), ranked: this.#model.rank(text).slice(0, 3) };
  }

  settings(): IntelligenceSettings {
    if (!this.#settings) throw new Error('IntelligenceService.load() was not awaited');
    return this.#settings;
  }

  async saveSettings(patch: Partial<IntelligenceSettings>, actor: string): Promise<IntelligenceSettings> {
    const next = { ...this.settings(), ...patch };
    await this.#store.putSettings(next);
    this.#settings = next;
    await this.#bus.publish('intelligence.settings_changed', { fields: Object.keys(patch) }, { actor });
    return next;
  }

  /** A confirmed label: stored, learned at once, and announced. */
  async label(
    text: string,
    intent: string,
    options: { source: 'wrap_up' | 'api'; actor: string; contactId?: string; customerId?: string },
  ): Promise<void> {
    if (!text.trim()) throw new BadInputError('INTELLIGENCE_INVALID_INPUT', 'Cannot label an empty text');
    if (!this.#model.intents.includes(intent))
      throw new IntelligenceError('INTELLIGENCE_UNKNOWN_INTENT', `Unknown intent [intent:${intent}]`, {
        details: { intents: this.#model.intents },
      });
    const example = { text, intent, weight: CONFIRMED_WEIGHT };
    await this.#store.addExample({
      ...example,
      at: this.#now().toISOString(),
      ...(options.customerId ? { customerId: options.customerId } : {}),
    });
    this.#model.add(example);
    this.#examples++;
    const meta = { actor: options.actor };
    await this.#bus.publish(
      'intelligence.example_labelled',
      { intent, source: options.source, ...(options.contactId ? { contactId: options.contactId } : {}) },
      meta,
    );
    await this.#bus.publish(
      'intelligence.model_retrained',
      { examples: this.#examples, intents: this.#model.intents.length },
      meta,
    );
  }

  /** Learns from a closed contact: its wrap-up code names the intent of its first customer message. */
  async learnFromClosed(contact: Contact, messages: TimelineEntry[]): Promise<boolean> {
    const code = contact.wrapUpCode?.replace(/^intent:/, '');
    const first = messages.find((m) => m.contactId === contact.id && m.direction === 'in' && m.text.trim());
    if (!code || !first || !this.#model.intents.includes(code)) return false;
    await this.label(first.text, code, {
      source: 'wrap_up',
      actor: contact.agentId ?? 'system',
      contactId: contact.id,
      customerId: contact.customerId,
    });
    for (const m of messages) {
      if (m.contactId === contact.id && m.direction === 'out' && m.author !== 'bot' && m.text.trim())
        await this.#store.addReply({ intent: code, text: m.text, customerId: contact.customerId, at: m.at });
    }
    return true;
  }

  pastReplies(intent: string) {
    return this.#store.replies(intent);
  }

  /** The scorecard a contact is scored with: its queue's, else the default. */
  scorecardFor(contact: Contact): Scorecard {
    return this.#scorecards?.forQueue(queueOf(contact)) ?? this.#fallbackCard;
  }

  /**
   * Scores one closed contact with its queue's scorecard and stores the result (a
   * re-score keeps a reviewer's override, and the acoustic measurements of an
   * earlier run when none are given): text rules on what was said, acoustic rules
   * on the call recording's measurements; without either the contact is not scored.
   */
  async scoreContact(
    contact: Contact,
    messages: TimelineEntry[],
    options: { acoustic?: AcousticMetrics } = {},
  ): Promise<QaResult> {
    const lines: TranscriptLine[] = messages
      .filter((m) => m.contactId === contact.id && m.direction !== 'internal')
      .map((m) => ({
        role: m.direction === 'in' ? 'customer' : m.author === 'bot' ? 'bot' : 'agent',
        at: m.at,
        text: m.text,
      }));
    const prior = await this.#store.qa(contact.id);
    const acoustic = options.acoustic ?? prior?.acoustic;
    const card = this.scorecardFor(contact);
    const scored = scoreWithCard(card.rules, { lines, ...(acoustic ? { acoustic } : {}) });
    // Nothing said in text and no recording measured: no rule has anything to judge.
    if (scored.score === undefined) return this.#notScored(contact, prior);
    const { score, findings, notApplicable } = scored;
    const result: QaResult = {
      contactId: contact.id,
      channel: contact.channel,
      ...(contact.agentId ? { agentId: contact.agentId } : {}),
      score,
      findings,
      ...(notApplicable.length ? { notApplicable } : {}),
      scorecard: { id: card.id, version: card.version },
      ...(acoustic ? { acoustic } : {}),
      scoredAt: this.#now().toISOString(),
      closedAt: contact.timeline.closed ?? contact.updatedAt,
      ...(prior?.override ? { override: prior.override } : {}),
    };
    await this.#store.putQa(result);
    await this.#bus.publish('intelligence.qa_scored', {
      contactId: contact.id,
      ...(contact.agentId ? { agentId: contact.agentId } : {}),
      score,
      failed: findings.filter((f) => !f.passed).map((f) => f.rule),
      scorecard: { id: card.id, version: card.version },
    });
    return result;
  }

  async #notScored(contact: Contact, prior: QaResult | undefined): Promise<QaResult> {
    const result: QaResult = {
      contactId: contact.id,
      channel: contact.channel,
      ...(contact.agentId ? { agentId: contact.agentId } : {}),
      status: 'not_scored',
      reason: 'no_transcript',
      findings: [],
      scoredAt: this.#now().toISOString(),
      closedAt: contact.timeline.closed ?? contact.updatedAt,
      ...(prior?.override ? { override: prior.override } : {}),
    };
    await this.#store.putQa(result);
    await this.#bus.publish('intelligence.qa_not_scored', {
      contactId: contact.id,
      ...(contact.agentId ? { agentId: contact.agentId } : {}),
      reason: 'no_transcript',
    });
    return result;
  }

  /**
   * Start-up migration (issue 14): QA results of voice contacts scored from the
   * synthetic "Voice call queued" line are dropped once that line is gone (a
   * contact that has text now is re-scored instead). Runs once; audited by count.
   */
  async dropUntranscribedQa(): Promise<{ dropped: number; rescored: number }> {
    const name = 'qa-call-placeholders-v1';
    const out = { dropped: 0, rescored: 0 };
    if (!this.#conversations || (await this.#store.migrated(name))) return out;
    for (const r of await this.#store.qaAll()) {
      if (r.channel !== 'voice' || r.status === 'not_scored') continue;
      const c = await this.#conversations.getContact(r.contactId).catch(() => undefined);
      const messages = c ? await this.#conversations.messagesOf(c.conversationId) : [];
      const said = messages.some(
        (m) => m.contactId === r.contactId && m.direction !== 'internal' && m.text.trim(),
      );
      if (c && said) {
        await this.scoreContact(c, messages);
        out.rescored++;
      } else {
        await this.#store.removeQa(r.contactId);
        out.dropped++;
      }
    }
    await this.#store.markMigrated(name, out);
    await this.#bus.publish('intelligence.qa_results_dropped', out, { actor: 'system' });
    return out;
  }

  /** Scores a contact by id from its conversation (call transcripts are messages too). */
  async scoreById(contactId: string): Promise<QaResult> {
    if (!this.#conversations) throw new Error('conversations service is required for QA');
    const c = await this.#conversations.getContact(contactId);
    return this.scoreContact(c, await this.#conversations.messagesOf(c.conversationId));
  }

  async qa(contactId: string): Promise<QaResult> {
    const r = await this.#store.qa(contactId);
    if (!r)
      throw new IntelligenceError('INTELLIGENCE_NOT_FOUND', `No QA result [contactId:${contactId}]`, {
        status: 404,
      });
    return r;
  }

  async qaList(filter: { agentId?: string; from?: string; to?: string } = {}): Promise<QaResult[]> {
    return (await this.#store.qaAll())
      .filter(
        (r) =>
          (!filter.agentId || r.agentId === filter.agentId) &&
          (!filter.from || r.closedAt >= filter.from) &&
          (!filter.to || r.closedAt < filter.to),
      )
      .sort((a, b) => (a.closedAt < b.closedAt ? 1 : -1));
  }

  /** A page of results, newest closed first (one agent, closed in [from, to)); `last` resumes it. */
  async qaPage(
    filter: QaFilter,
    page: { limit: number; after?: string },
  ): Promise<{ results: QaResult[]; last?: string }> {
    const res = await this.#store.qaPage(filter, page);
    return { results: res.items, ...(res.last === undefined ? {} : { last: res.last }) };
  }

  async override(
    contactId: string,
    input: { score: number; comment: string },
    reviewerId: string,
  ): Promise<QaResult> {
    if (!(input.score >= 0 && input.score <= 100))
      throw new OutOfRangeError('INTELLIGENCE_INVALID_INPUT', 'score must be 0–100');
    const r = await this.qa(contactId);
    const next: QaResult = { ...r, override: { ...input, reviewerId, at: this.#now().toISOString() } };
    await this.#store.putQa(next);
    await this.#bus.publish(
      'intelligence.qa_reviewed',
      { contactId, score: input.score, reviewerId },
      { actor: reviewerId },
    );
    return next;
  }

  /** Per agent over a period; a reviewer's override replaces the rule score. */
  async report(filter: { from?: string; to?: string } = {}): Promise<QaReportRow[]> {
    const rows = new Map<string, QaReportRow & { total: number }>();
    for (const r of await this.qaList(filter)) {
      const id = r.agentId ?? 'unassigned';
      const row = rows.get(id) ?? { agentId: id, contacts: 0, averageScore: 0, failedRules: {}, total: 0 };
      const score = r.override?.score ?? r.score;
      if (score === undefined) continue; // not scored (no transcript): no number to average
      row.contacts++;
      row.total += score;
      for (const f of r.findings) if (!f.passed) row.failedRules[f.rule] = (row.failedRules[f.rule] ?? 0) + 1;
      rows.set(id, row);
    }
    return [...rows.values()].map(({ total, ...row }) => ({
      ...row,
      averageScore: Math.round((total / row.contacts) * 10) / 10,
    }));
  }

  logFailure(what: string, err: unknown): void {
    log.error(what, { err });
  }
}
