import { ConversationsError } from './errors.ts';
import type { ContactState } from './types.ts';

/**
 * The contact state machine. `offered → queued` is a reject or RONA; the
 * contact keeps its original queue time. `queued → active` is a direct pickup
 * (an agent answers an offline message); `active → queued` is a transfer back
 * to a queue (a blind transfer to a queue, a frozen agent's live call): the
 * contact keeps its queue time too. Closed and abandoned are final.
 */
export const TRANSITIONS: Readonly<Record<ContactState, readonly ContactState[]>> = Object.freeze({
  queued: ['offered', 'active', 'abandoned', 'closed'],
  offered: ['active', 'queued', 'abandoned'],
  active: ['wrap_up', 'closed', 'queued'],
  wrap_up: ['closed'],
  closed: [],
  abandoned: [],
});

export function isFinal(state: ContactState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function assertTransition(from: ContactState, to: ContactState): void {
  if (!TRANSITIONS[from]?.includes(to)) {
    throw new ConversationsError('CONVERSATIONS_INVALID_TRANSITION', `Cannot go from ${from} to ${to}`, {
      status: 409,
      details: { from, to },
    });
  }
}
