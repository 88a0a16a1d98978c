import type { AgentCounts } from './types.ts';

interface Waiting {
  queuedAt: string;
  queue: string;
}

/**
 * What is happening right now, in memory only: contacts waiting, agents by
 * state, and which agents hold contacts. Rebuilt from open facts at start;
 * agent states arrive with the next `agent.state_changed`.
 */
export class LiveState {
  #waiting = new Map<string, Waiting>();
  #agentState = new Map<string, string>();
  /** contactId → agentId for contacts active or in wrap-up. */
  #handling = new Map<string, string>();

  /** Contacts no workflow routed (routing sent them to its fallback queue); counted while they wait. */
  #unroutable = new Set<string>();

  contact(contactId: string, state: string, info: Waiting & { agentId?: string }): void {
    if (state === 'queued' || state === 'offered') this.#waiting.set(contactId, info);
    else {
      this.#waiting.delete(contactId);
      this.#unroutable.delete(contactId);
    }
    if ((state === 'active' || state === 'wrap_up') && info.agentId)
      this.#handling.set(contactId, info.agentId);
    else this.#handling.delete(contactId);
  }

  /** Routing may name the queue before analytics has seen `contact.queued` (handler order on the bus). */
  #pendingQueue = new Map<string, string>();

  holdQueue(contactId: string, queue: string): void {
    this.#pendingQueue.set(contactId, queue);
    if (this.#pendingQueue.size > 10_000) this.#pendingQueue.clear();
  }

  takeQueue(contactId: string): string | undefined {
    const q = this.#pendingQueue.get(contactId);
    this.#pendingQueue.delete(contactId);
    return q;
  }

  requeue(contactId: string, queue: string): void {
    const w = this.#waiting.get(contactId);
    if (w) w.queue = queue;
  }

  /** May arrive before analytics has seen `contact.queued` (handler order on the bus). */
  unroutable(contactId: string): void {
    this.#unroutable.add(contactId);
    if (this.#unroutable.size > 10_000) this.#unroutable.clear();
  }

  unroutableWaiting(): number {
    let n = 0;
    for (const id of this.#unroutable) if (this.#waiting.has(id)) n++;
    return n;
  }

  agent(userId: string, state: string): void {
    this.#agentState.set(userId, state);
  }

  waiting(queue?: string): { count: number; oldestQueuedAt: string | null } {
    let count = 0;
    let oldest: string | null = null;
    for (const w of this.#waiting.values()) {
      if (queue !== undefined && w.queue !== queue) continue;
      count++;
      if (oldest === null || w.queuedAt < oldest) oldest = w.queuedAt;
    }
    return { count, oldestQueuedAt: oldest };
  }

  queues(): string[] {
    return [...new Set([...this.#waiting.values()].map((w) => w.queue))];
  }

  agents(): AgentCounts {
    const out: AgentCounts = { available: 0, notReady: 0, offline: 0, onContact: 0 };
    for (const s of this.#agentState.values()) {
      if (s === 'available') out.available++;
      else if (s === 'not_ready') out.notReady++;
      else out.offline++;
    }
    out.onContact = new Set(this.#handling.values()).size;
    return out;
  }
}
