import type { DomainEvent, EventType } from '../events/index.ts';
import { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { TicketService } from './facade.ts';
import type { CustomerReplier, TicketActor } from './types.ts';

/** A movable clock for SLA tests. */
export class FakeClock {
  at: Date;
  constructor(iso: string) {
    this.at = new Date(iso);
  }
  now = () => new Date(this.at);
  advance(minutes: number): void {
    this.at = new Date(this.at.getTime() + minutes * 60_000);
  }
}

export const agent = (userId = 'u-agent', roles = ['agent']): TicketActor => ({
  userId,
  roles,
  permissions: new Set(['tickets.read', 'tickets.write']),
});

/** A conversations stand-in that records what the customer would receive. */
export class RecordingReplier implements CustomerReplier {
  sent: Array<{ contactId: string; text: string; actor: string }> = [];
  async reply(contactId: string, message: { text: string }, actor: string) {
    this.sent.push({ contactId, text: message.text, actor });
    return {};
  }
}

export async function makeTickets(
  options: {
    clock?: FakeClock;
    replier?: CustomerReplier;
    tickets?: DocStore;
    maxAttachmentBytes?: number;
    userExists?: (userId: string) => Promise<boolean>;
  } = {},
) {
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe('*', (e) => {
    events.push(e);
  });
  const reads: string[] = [];
  const service = new TicketService({
    bus,
    tickets: options.tickets ?? new MemoryDocStore('tickets'),
    definitions: new MemoryDocStore('ticket-defs'),
    ...(options.clock ? { now: options.clock.now } : {}),
    ...(options.replier ? { replier: () => options.replier } : {}),
    ...(options.maxAttachmentBytes ? { maxAttachmentBytes: options.maxAttachmentBytes } : {}),
    ...(options.userExists ? { userExists: options.userExists } : {}),
    recordRead: async (actor, id) => {
      reads.push(`${actor.userId}:${id}`);
    },
  });
  await service.seed();
  const of = <K extends EventType>(type: K) => events.filter((e): e is DomainEvent<K> => e.type === type);
  return { bus, service, events, of, reads };
}
