import { randomUUID } from 'node:crypto';
import { type Calendar, isOpenAt } from './calendar.ts';
import { AgentIndex } from './engine-agents.ts';
import { BucketIndex, isEligible } from './engine-buckets.ts';
import { Dispatcher } from './engine-dispatch.ts';
import { fallbackWorkflow, newTask, type Route, routeOf } from './engine-intake.ts';
import {
  type Agent,
  type Bucket,
  type CompiledWorkflow,
  compileWorkflow,
  type Task,
  viewOf,
} from './engine-model.ts';
import { OfferBook, offerView } from './engine-offers.ts';
import { HandleStats } from './engine-stats.ts';
import { StickyMemory } from './engine-sticky.ts';
import { type Deadline, runDue } from './engine-timers.ts';
import type {
  AgentProfile,
  AgentState,
  Channel,
  Clock,
  EngineEvent,
  EnqueueOutcome,
  OfferView,
  RoutingConfig,
  TaskInput,
  TaskView,
  UnroutableReason,
} from './engine-types.ts';
import { RoutingError } from './errors.ts';
import { DeadlineHeap } from './sorted.ts';

export interface EngineOptions {
  clock: Clock;
  /** Receives every decision synchronously; the integration layer turns them into bus events. */
  sink: (event: EngineEvent) => void;
  offerTimeoutSeconds?: number;
  /** Average handle time assumed before a queue has history (EWT). */
  defaultHandleSeconds?: number;
  newId?: () => string;
}

/**
 * The routing engine: pure and synchronous, with ports for time (`clock`) and
 * decisions (`sink`). Waiting tasks sit in buckets (queue × channel × agent
 * expression) sorted best-first; each bucket caches which agents are eligible;
 * free agents are kept per channel in longest-idle order. A new task scans only
 * its channel's free agents; a freed agent looks only at the heads of its own
 * buckets — no event rescans everything. This facade owns configuration and
 * tasks; matching is {@link Dispatcher}'s, deadlines {@link runDue}'s.
 */
export class RoutingEngine {
  readonly #clock: Clock;
  readonly #emit: (e: EngineEvent) => void;
  readonly #offerMs: number;
  #calendars = new Map<string, Calendar>();
  #workflows = new Map<string, CompiledWorkflow>();
  #defaultWorkflow: CompiledWorkflow | undefined;
  #fallback: CompiledWorkflow;
  readonly #agents: AgentIndex;
  readonly #buckets: BucketIndex;
  readonly #offers: OfferBook;
  readonly #deadlines = new DeadlineHeap<Deadline>();
  readonly #dispatch: Dispatcher;
  #tasks = new Map<string, Task>();
  readonly #sticky: StickyMemory;
  #seq = 0;
  readonly stats: HandleStats;

  constructor(options: EngineOptions) {
    this.#clock = options.clock;
    this.#emit = options.sink;
    this.#offerMs = (options.offerTimeoutSeconds ?? 20) * 1000;
    this.stats = new HandleStats((options.defaultHandleSeconds ?? 180) * 1000);
    this.#agents = new AgentIndex(this.#clock);
    this.#buckets = new BucketIndex(this.#agents);
    this.#offers = new OfferBook(options.newId ?? randomUUID);
    this.#sticky = new StickyMemory(this.#agents);
    this.#fallback = fallbackWorkflow(new Map(), this.#offerMs);
    this.#dispatch = new Dispatcher({
      clock: this.#clock,
      emit: this.#emit,
      agents: this.#agents,
      buckets: this.#buckets,
      offers: this.#offers,
      deadlines: this.#deadlines,
    });
  }

  /** Replaces queues, workflows and calendars; validates everything before changing anything. */
  configure(config: RoutingConfig): void {
    const queues = new Map(config.queues.map((q) => [q.id, q]));
    const calendars = new Map(config.calendars.map((c) => [c.id, c]));
    const workflows = new Map(
      config.workflows.map((w) => [w.id, compileWorkflow(w, queues, calendars, this.#offerMs)] as const),
    );
    const def = config.workflows.find((w) => w.isDefault) ?? config.workflows[0];
    this.#calendars = calendars;
    this.#workflows = workflows;
    this.#defaultWorkflow = def ? workflows.get(def.id) : undefined;
    this.#fallback = fallbackWorkflow(queues, this.#offerMs);
    const waiting = [...this.#tasks.values()].filter((t) => t.status === 'waiting');
    for (const t of waiting) this.#dispatch.unplace(t);
    this.#buckets.clear();
    for (const t of waiting) {
      const { wf, route, unroutable } = this.#routeOf(
        this.#workflows.get(t.workflow.id) ?? this.#defaultWorkflow,
        t.channel,
        t.attributes,
      );
      Object.assign(t, { workflow: wf, filterName: route.name, targets: route.targets });
      t.targetIndex = Math.min(t.targetIndex, route.targets.length - 1);
      t.targetEpoch++;
      if (unroutable) this.#emit({ type: 'task_unroutable', task: viewOf(t), reason: unroutable });
      this.#dispatch.place(t);
    }
  }

  /** The workflow's route, else the fallback queue (a contact is never parked where no agent looks). */
  #routeOf(
    wf: CompiledWorkflow | undefined,
    channel: Channel,
    attributes: TaskInput['attributes'],
  ): { wf: CompiledWorkflow; route: Route; unroutable?: UnroutableReason } {
    const route = wf && routeOf(wf, channel, attributes);
    if (wf && route) return { wf, route };
    const fb = this.#fallback;
    return {
      wf: fb,
      route: routeOf(fb, channel, attributes) as Route,
      unroutable: wf ? 'no_route' : 'no_workflow',
    };
  }

  isOpen(calendarId: string, at: number = this.#clock.now()): boolean {
    const cal = this.#calendars.get(calendarId);
    if (!cal) throw new RoutingError('ROUTING_NOT_FOUND', `No calendar ${calendarId}`, { status: 404 });
    return isOpenAt(cal, at);
  }

  /** Whether the default workflow's calendar is open (no calendar: always): one calendar for every channel. */
  isOpenNow(at: number = this.#clock.now()): boolean {
    const cal = this.#defaultWorkflow?.calendarId;
    return cal === undefined || this.isOpen(cal, at);
  }

  // ---- agents ----------------------------------------------------------

  upsertAgent(profile: AgentProfile): void {
    const a = this.#agents.upsert(profile);
    this.#buckets.sync(a);
    this.#agents.reindex(a);
    this.#dispatch.matchAgent(a);
  }

  removeAgent(userId: string): void {
    const a = this.#agents.get(userId);
    if (!a) return;
    this.setAgentState(userId, 'offline');
    this.#buckets.detach(a);
    for (const t of [...a.reserved]) this.#dispatch.dropPreference(t);
    this.#agents.delete(userId);
  }

  agent(
    userId: string,
  ): { profile: AgentProfile; state: AgentState; reason?: string; since: number; load: number } | undefined {
    const a = this.#agents.get(userId);
    if (!a) return undefined;
    return {
      profile: a.profile,
      state: a.state,
      ...(a.reason ? { reason: a.reason } : {}),
      since: a.stateSince,
      load: a.total,
    };
  }

  setAgentState(userId: string, state: AgentState, reason?: string): void {
    const a = this.#agents.get(userId);
    if (!a) throw new RoutingError('ROUTING_NOT_AN_AGENT', `No agent profile for ${userId}`, { status: 404 });
    this.#dispatch.setState(a, state, state === 'not_ready' ? reason : undefined);
  }

  // ---- tasks -----------------------------------------------------------

  enqueue(input: TaskInput): EnqueueOutcome {
    if (this.#tasks.has(input.id)) {
      throw new RoutingError('ROUTING_TASK_EXISTS', `Task ${input.id} is already routed`, { status: 409 });
    }
    const named =
      input.workflowId === undefined ? this.#defaultWorkflow : this.#workflows.get(input.workflowId);
    // A caller naming a workflow that does not exist made a mistake; a contact with none configured is routed anyway.
    if (input.workflowId !== undefined && !named)
      throw new RoutingError('ROUTING_NOT_FOUND', `No workflow ${input.workflowId}`, { status: 404 });
    const now = this.#clock.now();
    let callback: Task['callback'];
    if (named?.calendarId !== undefined && !this.isOpen(named.calendarId, now)) {
      if (named.whenClosed === 'callback') callback = { requestedAt: now };
      else return this.#rejected(input, named.whenClosed === 'offline' ? 'offline' : 'closed');
    }
    const { wf, route, unroutable } = this.#routeOf(named, input.channel, input.attributes);
    const task = newTask(input, { seq: this.#seq++, wf, route, now, callback });
    this.#tasks.set(task.id, task);
    const hold = this.#sticky.holdFor(task, { wf, explicit: input.preferredAgentId, now });
    if (hold) this.#dispatch.hold(task, hold);
    if (unroutable) this.#emit({ type: 'task_unroutable', task: viewOf(task), reason: unroutable });
    this.#emit({ type: 'task_queued', task: viewOf(task) });
    this.#dispatch.place(task);
    return { status: 'queued', task: viewOf(task) };
  }

  #rejected(input: TaskInput, reason: 'closed' | 'offline'): EnqueueOutcome {
    this.#emit({
      type: 'task_rejected',
      taskId: input.id,
      reason,
      ...(input.contactId ? { contactId: input.contactId } : {}),
    });
    return { status: 'rejected', reason };
  }

  accept(offerId: string, userId: string): TaskView {
    const o = this.#offers.take(offerId, userId);
    this.#offers.forget(o);
    const t = o.task;
    t.status = 'assigned';
    t.agent = o.agent;
    t.assignedAt = this.#clock.now();
    this.#sticky.served(t.customerId, userId, t.assignedAt);
    this.#emit({ type: 'offer_accepted', offer: offerView(o), task: viewOf(t) });
    return viewOf(t);
  }

  reject(offerId: string, userId: string): void {
    const o = this.#offers.take(offerId, userId);
    o.task.rejectedBy.add(userId);
    this.#dispatch.closeOffer(o, 'offer_rejected');
  }

  /** The agent finished the task (wrap-up done): frees capacity and records the handle time. */
  complete(taskId: string): void {
    const t = this.#tasks.get(taskId);
    if (!t) throw new RoutingError('ROUTING_NOT_FOUND', `No task ${taskId}`, { status: 404 });
    if (t.status !== 'assigned' || !t.agent) {
      throw new RoutingError('ROUTING_INVALID_CONFIG', `Task ${taskId} is not assigned`, { status: 409 });
    }
    const now = this.#clock.now();
    const a = t.agent;
    this.#tasks.delete(taskId);
    const handleMs = now - t.assignedAt;
    this.stats.record(t.targets[t.targetIndex]?.queueId ?? '', t.channel, handleMs);
    this.#sticky.served(t.customerId, a.profile.userId, now);
    this.#agents.load(a, t.channel, -1);
    this.#emit({ type: 'task_completed', task: viewOf(t), agentId: a.profile.userId, handleMs });
    this.#dispatch.matchAgent(a);
  }

  /** The contact went away (abandoned, closed elsewhere): drop it wherever it is. */
  remove(taskId: string, reason: string): boolean {
    const t = this.#tasks.get(taskId);
    if (!t) return false;
    if (t.status === 'assigned') {
      this.complete(taskId);
      return true;
    }
    this.#tasks.delete(taskId);
    if (t.status === 'offered' && t.offer) this.#dispatch.closeOffer(t.offer, 'offer_cancelled', false);
    else this.#dispatch.unplace(t);
    this.#emit({ type: 'task_removed', task: viewOf(t), reason });
    return true;
  }

  /** The customer stops waiting on the line; the task keeps its place and is marked for a callback. */
  requestCallback(taskId: string): TaskView {
    const t = this.#tasks.get(taskId);
    if (!t) throw new RoutingError('ROUTING_NOT_FOUND', `No task ${taskId}`, { status: 404 });
    t.callback ??= { requestedAt: this.#clock.now() };
    this.#emit({ type: 'callback_requested', task: viewOf(t) });
    return viewOf(t);
  }

  // ---- time ------------------------------------------------------------

  /** Runs every deadline that has passed: relaxations, sticky expiries, offer timeouts (RONA). */
  tick(): void {
    runDue(this.#deadlines, { now: this.#clock.now(), tasks: this.#tasks, dispatch: this.#dispatch });
  }

  nextDeadline(): number | undefined {
    return this.#deadlines.peek()?.at;
  }

  // ---- read side -------------------------------------------------------

  task(taskId: string): TaskView | undefined {
    const t = this.#tasks.get(taskId);
    return t && viewOf(t);
  }

  tasks(): TaskView[] {
    return [...this.#tasks.values()].map(viewOf);
  }

  offersFor(userId: string): Array<{ offer: OfferView; task: TaskView }> {
    const a = this.#agents.get(userId);
    return a ? [...a.offers].map((o) => ({ offer: offerView(o), task: viewOf(o.task) })) : [];
  }

  /** Read-only internals for match-test and EWT (same module only). */
  get internals() {
    return {
      agents: this.#agents.map,
      tasks: this.#tasks as ReadonlyMap<string, Task>,
      buckets: this.#buckets.map,
      workflows: this.#workflows as ReadonlyMap<string, CompiledWorkflow>,
      defaultWorkflow: this.#defaultWorkflow,
      route: (wf: CompiledWorkflow, channel: Channel, attrs: TaskInput['attributes']) =>
        routeOf(wf, channel, attrs),
      eligible: (a: Agent, b: Bucket) => isEligible(a, b),
      now: () => this.#clock.now(),
    };
  }
}
