import { randomUUID } from 'node:crypto';
import { createLogger } from '../logging/index.ts';
import type { DomainEvent, EventCatalogue, EventType } from './catalogue.ts';

const log = createLogger('events');

type Handler<K extends EventType> = (event: DomainEvent<K>) => void | Promise<void>;
type AnyHandler = (event: DomainEvent) => void | Promise<void>;

export interface PublishOptions {
  actor?: string;
  /** Client address (IP) the change came from. */
  source?: string;
  /** Override the clock (tests). */
  at?: Date;
}

/**
 * Typed in-process event bus. Handlers run after the publisher's await point;
 * a throwing handler is logged and never affects the publisher or other
 * handlers. `publish()` resolves when every handler has settled, so callers
 * that must know listeners ran (audit) can await it.
 */
export class EventBus {
  #handlers = new Map<EventType | '*', Set<AnyHandler>>();
  #closed = false;

  subscribe<K extends EventType>(type: K, handler: Handler<K>): () => void;
  subscribe(type: '*', handler: AnyHandler): () => void;
  subscribe(type: EventType | '*', handler: AnyHandler): () => void {
    let set = this.#handlers.get(type);
    if (!set) {
      set = new Set();
      this.#handlers.set(type, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async publish<K extends EventType>(
    type: K,
    data: EventCatalogue[K],
    options: PublishOptions = {},
  ): Promise<DomainEvent<K>> {
    const event: DomainEvent<K> = Object.freeze({
      id: randomUUID(),
      type,
      at: (options.at ?? new Date()).toISOString(),
      actor: options.actor ?? 'system',
      ...(options.source === undefined ? {} : { source: options.source }),
      data,
    });
    if (this.#closed) return event;
    const handlers = [...(this.#handlers.get(type) ?? []), ...(this.#handlers.get('*') ?? [])];
    await Promise.all(
      handlers.map(async (h) => {
        try {
          await h(event as DomainEvent);
        } catch (err) {
          log.error(`event handler failed [type:${type}]`, { err });
        }
      }),
    );
    return event;
  }

  close(): void {
    this.#closed = true;
    this.#handlers.clear();
  }
}
