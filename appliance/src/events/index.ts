/**
 * Typed domain-event bus, the event catalogue, and supervised background loops (whose
 * failures are alarms on the bus, never the end of the process).
 * @example
 * const bus = new EventBus();
 * bus.subscribe('user.frozen', (e) => closeSessions(e.data.userId));
 * await bus.publish('user.frozen', { userId: 'u1', username: 'ann' }, { actor: 'u0' });
 */

export type { PublishOptions } from './bus.ts';
export { EventBus } from './bus.ts';
export type { DomainEvent, EventCatalogue, EventType } from './catalogue.ts';
export type { LoopNext, LoopPass, LoopStatus, SupervisedLoopOptions } from './supervised-loop.ts';
export {
  againIn,
  /**
   * A background loop (queue drain, timer, sweep) that cannot end the process: a failing pass
   * is logged, alarmed on the bus (`system.alarm_raised`, once per outage) and retried with back-off.
   * @example
   * const sweep = new SupervisedLoop('tickets.sla', async () => void (await checker.check()), { everyMs: 30_000, bus }).start();
   * const inbox = new SupervisedLoop('wechat.inbox', async () => againIn(await drain()), { bus }); // drain() → retry ms
   * inboxLoop.kick(); // run a pass now
   * await sweep.close();
   */
  SupervisedLoop,
} from './supervised-loop.ts';
