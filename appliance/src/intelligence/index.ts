/**
 * Intelligent interaction: intent classification (naive Bayes, learns from
 * confirmed labels), lexicon sentiment, the web chat bot with FAQ answers,
 * slot filling and handoff, agent assist, and rule-based quality inspection.
 * @example
 * const intel = services.intelligence;
 * intel?.classify('我的银行卡丢了').top; // { intent: 'card_lost', p: 0.97 }
 */

/** @example new IntentClassifier(seedExamples()).classify('I lost my card') */
export { IntentClassifier, type IntentScore, type LabelledExample } from './classifier.ts';
/** @example botTurn(newSession(), '你好', { classifier, faq: () => undefined, settings }) */
export { type BotSession, botTurn, newSession } from './dialogue.ts';
/** @example if (err instanceof IntelligenceError && err.code === 'INTELLIGENCE_UNKNOWN_INTENT') … */
export { IntelligenceError, type IntelligenceErrorCode } from './errors.ts';
/** @example MODULES.push(intelligenceModule) // after conversations, routing, knowledge, crm, tickets */
export { intelligenceModule } from './module.ts';
/** @example scoreTranscript([{ role: 'agent', at, text: '您好' }]).score */
export { DEFAULT_QA_RULES, type QaRules, scoreTranscript } from './qa.ts';
/** @example seedExamples((i) => i % 4 !== 3) // a training split */
export { SEED_INTENTS, seedExamples } from './seed.ts';
/** @example sentiment('我不满意') // < 0 */
export { sentiment } from './sentiment.ts';
/** @example await new IntelligenceService(new IntelligenceStore(db), { bus }).load() */
export { IntelligenceService } from './service.ts';
/** @example new IntelligenceStore(encryptedDb) */
export { IntelligenceStore } from './store.ts';
export type * from './types.ts';
