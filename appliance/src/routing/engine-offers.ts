import type { Agent, Offer, Task } from './engine-model.ts';
import type { OfferView } from './engine-types.ts';
import { RoutingError } from './errors.ts';

export function offerView(o: Offer): OfferView {
  return {
    id: o.id,
    taskId: o.task.id,
    agentId: o.agent.profile.userId,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
  };
}

/** Open offers by id: created when a task goes to an agent, forgotten on accept, reject, timeout or cancel. */
export class OfferBook {
  readonly #newId: () => string;
  readonly #offers = new Map<string, Offer>();

  constructor(newId: () => string) {
    this.#newId = newId;
  }

  /** Records an offer of the task to the agent; capacity, deadline and event are the caller's. */
  open(task: Task, a: Agent, now: number): Offer {
    const offer: Offer = {
      id: this.#newId(),
      task,
      agent: a,
      createdAt: now,
      expiresAt: now + task.workflow.offerTimeoutMs,
      open: true,
    };
    task.status = 'offered';
    task.offer = offer;
    a.offers.add(offer);
    this.#offers.set(offer.id, offer);
    return offer;
  }

  /** The open offer `offerId` made to `userId`, or ROUTING_OFFER_GONE. */
  take(offerId: string, userId: string): Offer {
    const o = this.#offers.get(offerId);
    if (!o?.open || o.agent.profile.userId !== userId) {
      throw new RoutingError('ROUTING_OFFER_GONE', 'The offer has expired or is not yours', { status: 409 });
    }
    return o;
  }

  forget(o: Offer): void {
    o.open = false;
    o.agent.offers.delete(o);
    this.#offers.delete(o.id);
    o.task.offer = undefined;
  }
}
