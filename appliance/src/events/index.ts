/**
 * Typed domain-event bus and the event catalogue.
 * @example
 * const bus = new EventBus();
 * bus.subscribe('user.frozen', (e) => closeSessions(e.data.userId));
 * await bus.publish('user.frozen', { userId: 'u1', username: 'ann' }, { actor: 'u0' });
 */

export type { PublishOptions } from './bus.ts';
export { EventBus } from './bus.ts';
export type { DomainEvent, EventCatalogue, EventType } from './catalogue.ts';
