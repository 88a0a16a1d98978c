import { type Agent, agentOrder, agentScope, hasFreeCapacity } from './engine-model.ts';
import type { AgentProfile, Channel, Clock } from './engine-types.ts';
import { SortedList } from './sorted.ts';

/**
 * Agent records and, per channel, the agents free to take work now in
 * longest-idle order: the index a new task scans instead of every agent.
 */
export class AgentIndex {
  readonly #clock: Clock;
  readonly #agents = new Map<string, Agent>();
  readonly #free = new Map<Channel, SortedList<Agent>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get map(): ReadonlyMap<string, Agent> {
    return this.#agents;
  }

  get(userId: string): Agent | undefined {
    return this.#agents.get(userId);
  }

  values(): IterableIterator<Agent> {
    return this.#agents.values();
  }

  /** Free agents of a channel, longest idle first (undefined before any agent served it). */
  free(channel: Channel): readonly Agent[] | undefined {
    return this.#free.get(channel)?.items;
  }

  /** Creates the agent (offline) or replaces its profile; the caller re-indexes. */
  upsert(profile: AgentProfile): Agent {
    let a = this.#agents.get(profile.userId);
    const now = this.#clock.now();
    if (!a) {
      a = {
        profile,
        scope: agentScope(profile),
        state: 'offline',
        reason: undefined,
        stateSince: now,
        idleSince: now,
        indexedIdle: now,
        load: new Map(),
        total: 0,
        buckets: new Set(),
        reserved: new Set(),
        freeIn: new Set(),
        offers: new Set(),
      };
      this.#agents.set(profile.userId, a);
    } else {
      a.profile = profile;
      a.scope = agentScope(profile);
    }
    return a;
  }

  delete(userId: string): void {
    this.#agents.delete(userId);
  }

  /** Counts work on or off the agent; an agent left with none starts a new idle period. */
  load(a: Agent, channel: Channel, delta: number): void {
    a.load.set(channel, (a.load.get(channel) ?? 0) + delta);
    a.total += delta;
    if (delta < 0 && a.total === 0) a.idleSince = this.#clock.now();
    this.reindex(a);
  }

  /** Keeps the agent in exactly the free lists of channels it can take now, in idle order. */
  reindex(a: Agent): void {
    if (a.indexedIdle !== a.idleSince) {
      for (const ch of a.freeIn) this.#free.get(ch)?.remove(a);
      a.freeIn.clear();
      a.indexedIdle = a.idleSince;
    }
    for (const ch of Object.keys(a.profile.capacity)) {
      const want = hasFreeCapacity(a, ch);
      if (want === a.freeIn.has(ch)) continue;
      let list = this.#free.get(ch);
      if (!list) {
        list = new SortedList(agentOrder);
        this.#free.set(ch, list);
      }
      if (want) {
        list.add(a);
        a.freeIn.add(ch);
      } else {
        list.remove(a);
        a.freeIn.delete(ch);
      }
    }
    for (const ch of a.freeIn) {
      if (!(ch in a.profile.capacity)) {
        this.#free.get(ch)?.remove(a);
        a.freeIn.delete(ch);
      }
    }
  }
}
