/**
 * Analytics: 15-minute interval KPIs folded from domain events (answer rate
 * 接通率, AHT 平均处理时长, service level 服务水平, abandonment 放弃率, CSAT 满意度),
 * a throttled live wallboard push, reports, volume forecast, Erlang C
 * staffing and explainable churn risk.
 * @example
 * const analytics = new AnalyticsService(await ctx.openStore('analytics'), { bus });
 * await analytics.start();
 * analytics.wallboard().kpis.answerRate; // 0.93
 */

/** @example churnRisk({ customerId, contacts: [], escalatedTickets: ['t1'] }, new Date()).score // 25 */
export { CHURN_WEIGHTS, type CustomerSignals, churnRisk } from './churn.ts';
/** @example intervalsCsv(await analytics.intervals({ from, to })) */
export { intervalsCsv } from './csv.ts';
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
/** @example MODULES.push(analyticsModule) // after conversations, routing, tickets */
export { analyticsModule } from './module.ts';
/** @example app.route('/api', analyticsRoutes(service, { recordRead })) */
export { analyticsRoutes } from './routes.ts';
/** @example await new AnalyticsService(db, { bus, thresholdSeconds: 20 }).start() */
export { type AnalyticsOptions, AnalyticsService, type IntervalQuery } from './service.ts';
export type { AgentCounts, ChurnRisk, ContactFact, IntervalRow, Kpis, WallboardSnapshot } from './types.ts';
export { INTERVAL_MS } from './types.ts';
