import type { AgentIndex } from './engine-agents.ts';
import type { BucketIndex } from './engine-buckets.ts';
import { basePriority } from './engine-intake.ts';
import {
  type Agent,
  type CompiledTarget,
  hasFreeCapacity,
  type Offer,
  type Task,
  taskOrder,
  viewOf,
} from './engine-model.ts';
import { type OfferBook, offerView } from './engine-offers.ts';
import type { Deadline } from './engine-timers.ts';
import type { AgentState, Clock, EngineEvent } from './engine-types.ts';
import type { DeadlineHeap } from './sorted.ts';

export interface DispatcherPorts {
  clock: Clock;
  emit: (e: EngineEvent) => void;
  agents: AgentIndex;
  buckets: BucketIndex;
  offers: OfferBook;
  deadlines: DeadlineHeap<Deadline>;
}

/**
 * Matching: puts waiting tasks where agents find them, offers each to the
 * best free agent, and takes offers back (reject, RONA, cancel). These steps
 * call each other — a closed offer re-places its task and re-matches its
 * agent — so they live together; the indexes they move through do not.
 */
export class Dispatcher {
  readonly #clock: Clock;
  readonly #emit: (e: EngineEvent) => void;
  readonly #agents: AgentIndex;
  readonly #buckets: BucketIndex;
  readonly #offers: OfferBook;
  readonly #deadlines: DeadlineHeap<Deadline>;

  constructor(ports: DispatcherPorts) {
    this.#clock = ports.clock;
    this.#emit = ports.emit;
    this.#agents = ports.agents;
    this.#buckets = ports.buckets;
    this.#offers = ports.offers;
    this.#deadlines = ports.deadlines;
  }

  setState(a: Agent, state: AgentState, reason: string | undefined): void {
    if (a.state === state && a.reason === reason) return;
    const previous = a.state;
    const now = this.#clock.now();
    a.state = state;
    a.reason = reason;
    a.stateSince = now;
    if (state === 'available') a.idleSince = now;
    this.#agents.reindex(a);
    this.#emit({
      type: 'agent_state_changed',
      userId: a.profile.userId,
      state,
      previous,
      ...(reason ? { reason } : {}),
    });
    if (state === 'offline') {
      for (const o of [...a.offers]) this.closeOffer(o, 'offer_cancelled');
      for (const t of [...a.reserved]) this.dropPreference(t);
    }
    if (state === 'available') this.matchAgent(a);
  }

  /** Holds a new task for one agent's first offer; place() finds the hold, the deadline ends it. */
  hold(task: Task, hold: { agent: Agent; until: number }): void {
    task.preferred = hold;
    this.#deadlines.push({ at: hold.until, kind: 'sticky', task });
  }

  /** Puts a waiting task where it can be found: its sticky agent's hold, or its target's bucket. */
  place(task: Task): void {
    const now = this.#clock.now();
    task.status = 'waiting';
    while (task.targetIndex < task.targets.length - 1) {
      const t = task.targets[task.targetIndex] as CompiledTarget;
      if (t.timeoutMs === undefined || now < task.targetSince + t.timeoutMs) break;
      this.#advanceTarget(task, task.targetSince + t.timeoutMs);
    }
    const target = task.targets[task.targetIndex] as CompiledTarget;
    if (target.timeoutMs !== undefined && task.targetIndex < task.targets.length - 1) {
      this.#deadlines.push({
        at: task.targetSince + target.timeoutMs,
        kind: 'relax',
        task,
        epoch: task.targetEpoch,
      });
    }
    const pref = task.preferred;
    if (pref && pref.until > now && !task.rejectedBy.has(pref.agent.profile.userId)) {
      pref.agent.reserved.add(task);
      if (hasFreeCapacity(pref.agent, task.channel)) this.#offer(task, pref.agent);
      return;
    }
    task.preferred = undefined;
    const bucket = this.#buckets.for(task, target);
    task.bucket = bucket;
    bucket.tasks.add(task);
    const free = this.#agents.free(task.channel);
    if (!free) return;
    for (const a of free) {
      if (bucket.eligible.has(a) && !task.rejectedBy.has(a.profile.userId)) {
        this.#offer(task, a);
        return;
      }
    }
  }

  unplace(task: Task): void {
    task.bucket?.tasks.remove(task);
    task.bucket = undefined;
    task.preferred?.agent.reserved.delete(task);
  }

  /** Ends a sticky hold early (agent gone, or hold expired): the task joins its bucket. */
  dropPreference(task: Task): void {
    if (task.status !== 'waiting' || !task.preferred) return;
    this.unplace(task);
    task.preferred = undefined;
    this.place(task);
  }

  /** Offers the agent the best task it can take, repeatedly while it has room. */
  matchAgent(a: Agent): void {
    for (;;) {
      if (a.freeIn.size === 0) return;
      let best: Task | undefined;
      for (const t of a.reserved) {
        if (t.status === 'waiting' && a.freeIn.has(t.channel) && (!best || taskOrder(t, best) < 0)) best = t;
      }
      for (const b of a.buckets) {
        if (!a.freeIn.has(b.channel)) continue;
        for (const t of b.tasks.items) {
          if (best && taskOrder(t, best) >= 0) break;
          if (!t.rejectedBy.has(a.profile.userId)) {
            best = t;
            break;
          }
        }
      }
      if (!best) return;
      this.#offer(best, a);
    }
  }

  /** Ends an open offer without assignment and puts the task back at its original place. */
  closeOffer(o: Offer, type: 'offer_rejected' | 'offer_timed_out' | 'offer_cancelled', requeue = true): void {
    this.#offers.forget(o);
    this.#agents.load(o.agent, o.task.channel, -1);
    this.#emit({ type, offer: offerView(o), task: { ...viewOf(o.task), status: 'waiting' } });
    if (type === 'offer_timed_out') this.setState(o.agent, 'not_ready', 'rona');
    if (requeue) this.place(o.task);
    this.matchAgent(o.agent);
  }

  #offer(task: Task, a: Agent): void {
    const now = this.#clock.now();
    this.unplace(task);
    const offer = this.#offers.open(task, a, now);
    this.#agents.load(a, task.channel, +1);
    this.#deadlines.push({ at: offer.expiresAt, kind: 'offer', offer });
    this.#emit({ type: 'offer_created', offer: offerView(offer), task: viewOf(task) });
  }

  #advanceTarget(task: Task, at: number): void {
    const from = (task.targets[task.targetIndex] as CompiledTarget).queueId;
    task.targetIndex++;
    task.targetEpoch++;
    task.targetSince = at;
    task.rejectedBy.clear();
    task.priority =
      (task.targets[task.targetIndex] as CompiledTarget).priority + basePriority(task.attributes);
    this.#emit({ type: 'task_relaxed', task: viewOf(task), fromQueue: from });
  }
}
