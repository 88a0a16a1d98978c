/**
 * Analytics: 15-minute interval KPIs folded from domain events (answer rate
 * 接通率, AHT 平均处理时长, service level 服务水平, abandonment 放弃率, CSAT 满意度),
 * a throttled live wallboard push, reports, volume forecast, Erlang C
 * staffing, explainable churn risk, k-anonymous topic and trend mining of
 * customers' words, and customer behaviour (channel mix, repeats, switching).
 * @example
 * const analytics = new AnalyticsService(await ctx.openStore('analytics'), { bus });
 * await analytics.start();
 * analytics.wallboard().kpis.answerRate; // 0.93
 */

/** @example (await miner.backfill({ userId: 'admin' })).status // 'running' */
export type { BackfillState } from './backfill.ts';
/** @example customerBehaviour(await analytics.facts(from7dEarlier, to), { from, to }).repeat.rate // 0.25 */
export {
  type BehaviourReport,
  customerBehaviour,
  REPEAT_WINDOW_HOURS,
  SWITCH_WINDOW_HOURS,
} from './behaviour.ts';
/** @example churnRisk({ customerId, contacts: [], escalatedTickets: ['t1'] }, new Date()).score // 25 */
export { CHURN_WEIGHTS, type CustomerSignals, churnRisk } from './churn.ts';
/** @example intervalsCsv(await analytics.intervals({ from, to })) */
export { intervalsCsv } from './csv.ts';
/** @example dayOf('2024-03-30T23:30:00Z', 'Asia/Shanghai') // '2024-03-31' */
export { dayOf, serverTimeZone } from './days.ts';
/** @example requiredAgents({ volume: 100, intervalSeconds: 1800, ahtSeconds: 180, targetLevel: 0.8, targetSeconds: 20 }).agents // 14 */
export {
  erlangC,
  requiredAgents,
  type StaffingInput,
  type StaffingResult,
  serviceLevelFor,
} from './erlang.ts';
/** @example throw new AnalyticsError('ANALYTICS_BAD_RANGE', 'from must precede to') */
export { AnalyticsError, type AnalyticsErrorCode } from './errors.ts';
/** @example forecastVolume(offered, { season: 96, horizon: 96 }).values */
export {
  type ForecastResult,
  fitHoltWinters,
  forecastVolume,
  holtWinters,
  mape,
  seasonalNaive,
} from './forecast.ts';
/** @example kpisOf(sumCounters(rows), 20).serviceLevel */
export { bucketOf, foldFacts, kpisOf, sumCounters } from './kpi.ts';
/** @example labelTrends(facts, ['2024-03-01']).wrapUp[0]?.label // 'card_lost' */
export { type LabelTrend, labelTrends } from './labels.ts';
/** @example MODULES.push(analyticsModule) // after conversations, routing, tickets */
export { analyticsModule } from './module.ts';
/** @example isCollocation({ n: 100, a: 10, b: 10, ab: 9 }) // true: 'credit card' is a phrase */
export {
  type CollocationOptions,
  collocation,
  isCollocation,
  type PairCounts,
  PHRASE_G2,
  phraseCandidates,
} from './phrases.ts';
/** @example app.route('/api', analyticsRoutes(service, { recordRead })) */
export { analyticsRoutes } from './routes.ts';
/** @example await new AnalyticsService(db, { bus, timeZone: 'Asia/Shanghai', thresholdSeconds: 20 }).start() */
export { type AnalyticsOptions, AnalyticsService, type IntervalQuery } from './service.ts';
/** @example topicSources(ctx.services, { recordRead: (r) => ctx.recordRead(r) }).tickets?.(['t1']) */
export { type SourceOptions, topicSources } from './sources.ts';
/** @example topicTerms('我的信用卡被盗刷了，电话13800138000') // ['信用卡', '盗刷', '电话']: the number is gone */
export { scrub, topicTerms, topicTokens } from './terms.ts';
/**
 * @example
 * const miner = new TopicMiner(db, { bus, pseudonym: (id) => crypto.blindIndex('analytics_topic', id), sources });
 * miner.start();
 * (await miner.topics({ days: 7, baseline: 28, limit: 20 })).rising[0]?.term // '退款' or a phrase, '信用卡 挂失'
 */
export {
  type CustomerText,
  type SourcedText,
  type TermView,
  TopicMiner,
  type TopicOptions,
  type TopicQuery,
  type TopicReport,
  type TopicSources,
} from './topics.ts';
/** @example logLikelihood(30, 1000, 2, 4000) // ≈ 82: more frequent in the window than in the baseline */
export {
  G2_CRITICAL,
  logLikelihood,
  type ScoredTerm,
  type TermTotals,
  type TrendKind,
  trends,
} from './trends.ts';
export type { AgentCounts, ChurnRisk, ContactFact, IntervalRow, Kpis, WallboardSnapshot } from './types.ts';
export { INTERVAL_MS } from './types.ts';
