/**
 * Routing: queues, skills, agent profiles and states, workflows in a safe
 * expression language, offers with RONA, business hours, position and EWT.
 * @example
 * const engine = new RoutingEngine({ clock: { now: Date.now }, sink: (e) => log(e) });
 * engine.configure({ queues, workflows, calendars });
 * engine.upsertAgent({ userId: 'u1', skills: { billing: 4 }, languages: ['zh'], capacity: { webchat: 3 }, totalCapacity: 3 });
 */

export type { Calendar, Weekday } from './calendar.ts';
export { isOpenAt } from './calendar.ts';
export type { ContactsPort } from './contacts-bridge.ts';
export type { EngineOptions } from './engine.ts';
export { RoutingEngine } from './engine.ts';
export type * from './engine-types.ts';
export type { RoutingErrorCode } from './errors.ts';
export { RoutingError } from './errors.ts';
export type { Expression } from './expr.ts';
export { compileExpression } from './expr.ts';
export type { MatchTestResult, WaitEstimate } from './insight.ts';
export { estimateWait, matchTest } from './insight.ts';
export { routingModule } from './module.ts';
export type { DecisionListener, RoutingServiceOptions } from './service.ts';
export { RoutingService } from './service.ts';
export type { ConfigKind, SkillConfig } from './types.ts';
export { DEFAULT_REASON_CODES } from './types.ts';
