import { randomUUID } from 'node:crypto';
import { type Calendar, isOpenAt } from './calendar.ts';
import {
  type Agent,
  agentOrder,
  agentScope,
  type Bucket,
  type CompiledTarget,
  type CompiledWorkflow,
  compileWorkflow,
  hasFreeCapacity,
  type Offer,
  type Task,
  taskOrder,
  viewOf,
} from './engine-model.ts';
import { HandleStats } from './engine-stats.ts';
import type {
  AgentProfile,
  AgentState,
  Channel,
  Clock,
  EngineEvent,
  EnqueueOutcome,
  OfferView,
  QueueConfig,
  RoutingConfig,
  TaskInput,
  TaskView,
} from './engine-types.ts';
import { RoutingError } from './errors.ts';
import { DeadlineHeap, SortedList } from './sorted.ts';

type Deadline =
  | { at: number; kind: 'relax'; task: Task; epoch: number }
  | { at: number; kind: 'sticky'; task: Task }
  | { at: number; kind: 'offer'; offer: Offer };

export interface EngineOptions {
  clock: Clock;
  /** Receives every decision synchronously; the integration layer turns them into bus events. */
  sink: (event: EngineEvent) => void;
  offerTimeoutSeconds?: number;
  /** Average handle time assumed before a queue has history (EWT). */
  defaultHandleSeconds?: number;
  newId?: () => string;
}

/** Sticky first-offer window when a task names its preferred agent but the workflow sets none. */
const DEFAULT_PREFERRED_MS = 30_000;
/** Bucket count above which empty buckets are dropped (task-valued expressions mint many). */
const BUCKET_GC_THRESHOLD = 256;

/**
 * The routing engine: pure and synchronous, with ports for time (`clock`) and
 * decisions (`sink`). Waiting tasks sit in buckets (queue × channel × agent
 * expression) sorted best-first; each bucket caches which agents are eligible;
 * free agents are kept per channel in longest-idle order. A new task scans only
 * its channel's free agents; a freed agent looks only at the heads of its own
 * buckets — no event rescans everything.
 */
export class RoutingEngine {
  readonly #clock: Clock;
  readonly #emit: (e: EngineEvent) => void;
  readonly #offerMs: number;
  readonly #newId: () => string;
  #queues = new Map<string, QueueConfig>();
  #calendars = new Map<string, Calendar>();
  #workflows = new Map<string, CompiledWorkflow>();
  #defaultWorkflow: CompiledWorkflow | undefined;
  #agents = new Map<string, Agent>();
  #tasks = new Map<string, Task>();
  #offers = new Map<string, Offer>();
  #buckets = new Map<string, Bucket>();
  #free = new Map<Channel, SortedList<Agent>>();
  #deadlines = new DeadlineHeap<Deadline>();
  #lastServed = new Map<string, { userId: string; at: number }>();
  #seq = 0;
  readonly stats: HandleStats;

  constructor(options: EngineOptions) {
    this.#clock = options.clock;
    this.#emit = options.sink;
    this.#offerMs = (options.offerTimeoutSeconds ?? 20) * 1000;
    this.#newId = options.newId ?? randomUUID;
    this.stats = new HandleStats((options.defaultHandleSeconds ?? 180) * 1000);
  }

  /** Replaces queues, workflows and calendars; validates everything before changing anything. */
  configure(config: RoutingConfig): void {
    const queues = new Map(config.queues.map((q) => [q.id, q]));
    const calendars = new Map(config.calendars.map((c) => [c.id, c]));
    const workflows = new Map(
      config.workflows.map((w) => [w.id, compileWorkflow(w, queues, calendars, this.#offerMs)] as const),
    );
    const def = config.workflows.find((w) => w.isDefault) ?? config.workflows[0];
    this.#queues = queues;
    this.#calendars = calendars;
    this.#workflows = workflows;
    this.#defaultWorkflow = def ? workflows.get(def.id) : undefined;
    const waiting = [...this.#tasks.values()].filter((t) => t.status === 'waiting');
    for (const t of waiting) this.#unplace(t);
    for (const a of this.#agents.values()) a.buckets.clear();
    this.#buckets.clear();
    for (const t of waiting) {
      const wf = this.#workflows.get(t.workflow.id) ?? this.#defaultWorkflow;
      const route = wf && this.#route(wf, t.channel, t.attributes);
      if (!wf || !route) {
        this.#tasks.delete(t.id);
        this.#emit({ type: 'task_removed', task: viewOf(t), reason: 'no_route' });
        continue;
      }
      Object.assign(t, { workflow: wf, filterName: route.name, targets: route.targets });
      t.targetIndex = Math.min(t.targetIndex, route.targets.length - 1);
      t.targetEpoch++;
      this.#place(t);
    }
  }

  isOpen(calendarId: string, at: number = this.#clock.now()): boolean {
    const cal = this.#calendars.get(calendarId);
    if (!cal) throw new RoutingError('ROUTING_NOT_FOUND', `No calendar ${calendarId}`, { status: 404 });
    return isOpenAt(cal, at);
  }

  // ---- agents ----------------------------------------------------------

  upsertAgent(profile: AgentProfile): void {
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
    for (const b of this.#buckets.values()) {
      if (this.#eligible(a, b)) {
        b.eligible.add(a);
        a.buckets.add(b);
      } else {
        b.eligible.delete(a);
        a.buckets.delete(b);
      }
    }
    this.#reindex(a);
    this.#matchAgent(a);
  }

  removeAgent(userId: string): void {
    const a = this.#agents.get(userId);
    if (!a) return;
    this.setAgentState(userId, 'offline');
    for (const b of a.buckets) b.eligible.delete(a);
    for (const t of [...a.reserved]) this.#dropPreference(t);
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
    this.#setState(a, state, state === 'not_ready' ? reason : undefined);
  }

  #setState(a: Agent, state: AgentState, reason: string | undefined): void {
    if (a.state === state && a.reason === reason) return;
    const previous = a.state;
    const now = this.#clock.now();
    a.state = state;
    a.reason = reason;
    a.stateSince = now;
    if (state === 'available') a.idleSince = now;
    this.#reindex(a);
    this.#emit({
      type: 'agent_state_changed',
      userId: a.profile.userId,
      state,
      previous,
      ...(reason ? { reason } : {}),
    });
    if (state === 'offline') {
      for (const o of [...a.offers]) this.#closeOffer(o, 'offer_cancelled');
      for (const t of [...a.reserved]) this.#dropPreference(t);
    }
    if (state === 'available') this.#matchAgent(a);
  }

  // ---- tasks -----------------------------------------------------------

  enqueue(input: TaskInput): EnqueueOutcome {
    if (this.#tasks.has(input.id)) {
      throw new RoutingError('ROUTING_TASK_EXISTS', `Task ${input.id} is already routed`, { status: 409 });
    }
    const wf = input.workflowId === undefined ? this.#defaultWorkflow : this.#workflows.get(input.workflowId);
    if (!wf) throw new RoutingError('ROUTING_NOT_FOUND', 'No such workflow', { status: 404 });
    const now = this.#clock.now();
    let callback: Task['callback'];
    if (wf.calendarId !== undefined && !this.isOpen(wf.calendarId, now)) {
      if (wf.whenClosed === 'callback') callback = { requestedAt: now };
      else return this.#rejected(input, wf.whenClosed === 'offline' ? 'offline' : 'closed');
    }
    const route = this.#route(wf, input.channel, input.attributes);
    if (!route) return this.#rejected(input, 'no_route');
    const first = route.targets[0] as CompiledTarget;
    const task: Task = {
      id: input.id,
      seq: this.#seq++,
      channel: input.channel,
      attributes: input.attributes,
      customerId: input.customerId,
      contactId: input.contactId,
      workflow: wf,
      filterName: route.name,
      targets: route.targets,
      targetIndex: 0,
      targetEpoch: 0,
      targetSince: now,
      createdAt: input.createdAt ?? now,
      priority: first.priority + basePriority(input.attributes),
      status: 'waiting',
      bucket: undefined,
      preferred: undefined,
      rejectedBy: new Set(),
      offer: undefined,
      agent: undefined,
      assignedAt: 0,
      callback,
    };
    this.#tasks.set(task.id, task);
    this.#applySticky(task, wf, input.preferredAgentId, now);
    this.#emit({ type: 'task_queued', task: viewOf(task) });
    this.#place(task);
    return { status: 'queued', task: viewOf(task) };
  }

  #rejected(input: TaskInput, reason: 'closed' | 'offline' | 'no_route'): EnqueueOutcome {
    this.#emit({
      type: 'task_rejected',
      taskId: input.id,
      reason,
      ...(input.contactId ? { contactId: input.contactId } : {}),
    });
    return { status: 'rejected', reason };
  }

  #applySticky(task: Task, wf: CompiledWorkflow, explicit: string | undefined, now: number): void {
    let userId = explicit;
    let offerMs = wf.sticky?.offerMs ?? DEFAULT_PREFERRED_MS;
    if (userId === undefined && wf.sticky && task.customerId !== undefined) {
      const last = this.#lastServed.get(task.customerId);
      if (last && now - last.at <= wf.sticky.windowMs) userId = last.userId;
      offerMs = wf.sticky.offerMs;
    }
    const agent = userId === undefined ? undefined : this.#agents.get(userId);
    if (!agent || agent.state === 'offline' || !(agent.profile.capacity[task.channel] ?? 0)) return;
    task.preferred = { agent, until: now + offerMs };
    this.#deadlines.push({ at: now + offerMs, kind: 'sticky', task });
  }

  #route(wf: CompiledWorkflow, channel: Channel, attributes: TaskInput['attributes']) {
    const scope = { ...attributes, channel };
    for (const f of wf.filters) if (f.expr.test(scope)) return { name: f.name, targets: f.targets };
    return wf.fallback ? { name: 'default', targets: wf.fallback } : undefined;
  }

  /** Puts a waiting task where it can be found: its sticky agent's hold, or its target's bucket. */
  #place(task: Task): void {
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
    const bucket = this.#bucketFor(task, target);
    task.bucket = bucket;
    bucket.tasks.add(task);
    const free = this.#free.get(task.channel);
    if (!free) return;
    for (const a of free.items) {
      if (bucket.eligible.has(a) && !task.rejectedBy.has(a.profile.userId)) {
        this.#offer(task, a);
        return;
      }
    }
  }

  #unplace(task: Task): void {
    task.bucket?.tasks.remove(task);
    task.bucket = undefined;
    task.preferred?.agent.reserved.delete(task);
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

  #dropPreference(task: Task): void {
    if (task.status !== 'waiting' || !task.preferred) return;
    this.#unplace(task);
    task.preferred = undefined;
    this.#place(task);
  }

  #bucketFor(task: Task, target: CompiledTarget): Bucket {
    const taskScope: Record<string, unknown> = {};
    for (const r of target.taskRefs) taskScope[r] = task.attributes[r];
    const key = `${target.queueId}\u0000${task.channel}\u0000${target.queueExpr.source}\u0000${target.expr.source}\u0000${JSON.stringify(taskScope)}`;
    let b = this.#buckets.get(key);
    if (b) return b;
    if (this.#buckets.size >= BUCKET_GC_THRESHOLD) this.#collectBuckets();
    b = {
      key,
      queueId: target.queueId,
      channel: task.channel,
      target,
      taskScope,
      eligible: new Set(),
      tasks: new SortedList(taskOrder),
    };
    for (const a of this.#agents.values()) {
      if (this.#eligible(a, b)) {
        b.eligible.add(a);
        a.buckets.add(b);
      }
    }
    this.#buckets.set(key, b);
    return b;
  }

  #collectBuckets(): void {
    for (const [key, b] of this.#buckets) {
      if (b.tasks.size > 0) continue;
      for (const a of b.eligible) a.buckets.delete(b);
      this.#buckets.delete(key);
    }
  }

  #eligible(a: Agent, b: Bucket): boolean {
    if (!(a.profile.capacity[b.channel] ?? 0)) return false;
    if (!b.target.queueExpr.test(a.scope)) return false;
    return b.target.expr.test(b.target.taskRefs.length ? { ...a.scope, task: b.taskScope } : a.scope);
  }

  /** Keeps the agent in exactly the free lists of channels it can take now, in idle order. */
  #reindex(a: Agent): void {
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

  /** Offers the agent the best task it can take, repeatedly while it has room. */
  #matchAgent(a: Agent): void {
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

  #offer(task: Task, a: Agent): void {
    const now = this.#clock.now();
    this.#unplace(task);
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
    this.#load(a, task.channel, +1);
    a.offers.add(offer);
    this.#offers.set(offer.id, offer);
    this.#deadlines.push({ at: offer.expiresAt, kind: 'offer', offer });
    this.#emit({ type: 'offer_created', offer: offerView(offer), task: viewOf(task) });
  }

  #load(a: Agent, channel: Channel, delta: number): void {
    a.load.set(channel, (a.load.get(channel) ?? 0) + delta);
    a.total += delta;
    if (delta < 0 && a.total === 0) a.idleSince = this.#clock.now();
    this.#reindex(a);
  }

  #takeOffer(offerId: string, userId: string): Offer {
    const o = this.#offers.get(offerId);
    if (!o?.open || o.agent.profile.userId !== userId) {
      throw new RoutingError('ROUTING_OFFER_GONE', 'The offer has expired or is not yours', { status: 409 });
    }
    return o;
  }

  accept(offerId: string, userId: string): TaskView {
    const o = this.#takeOffer(offerId, userId);
    this.#forget(o);
    const t = o.task;
    t.status = 'assigned';
    t.agent = o.agent;
    t.assignedAt = this.#clock.now();
    if (t.customerId !== undefined) this.#lastServed.set(t.customerId, { userId, at: t.assignedAt });
    this.#emit({ type: 'offer_accepted', offer: offerView(o), task: viewOf(t) });
    return viewOf(t);
  }

  reject(offerId: string, userId: string): void {
    const o = this.#takeOffer(offerId, userId);
    o.task.rejectedBy.add(userId);
    this.#closeOffer(o, 'offer_rejected');
  }

  #forget(o: Offer): void {
    o.open = false;
    o.agent.offers.delete(o);
    this.#offers.delete(o.id);
    o.task.offer = undefined;
  }

  /** Ends an open offer without assignment and puts the task back at its original place. */
  #closeOffer(
    o: Offer,
    type: 'offer_rejected' | 'offer_timed_out' | 'offer_cancelled',
    requeue = true,
  ): void {
    this.#forget(o);
    this.#load(o.agent, o.task.channel, -1);
    this.#emit({ type, offer: offerView(o), task: { ...viewOf(o.task), status: 'waiting' } });
    if (type === 'offer_timed_out') this.#setState(o.agent, 'not_ready', 'rona');
    if (requeue) this.#place(o.task);
    this.#matchAgent(o.agent);
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
    if (t.customerId !== undefined) this.#lastServed.set(t.customerId, { userId: a.profile.userId, at: now });
    this.#load(a, t.channel, -1);
    this.#emit({ type: 'task_completed', task: viewOf(t), agentId: a.profile.userId, handleMs });
    this.#matchAgent(a);
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
    if (t.status === 'offered' && t.offer) this.#closeOffer(t.offer, 'offer_cancelled', false);
    else this.#unplace(t);
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
    const now = this.#clock.now();
    for (let d = this.#deadlines.peek(); d && d.at <= now; d = this.#deadlines.peek()) {
      this.#deadlines.pop();
      if (d.kind === 'offer') {
        if (d.offer.open) this.#closeOffer(d.offer, 'offer_timed_out');
      } else if (d.kind === 'sticky') {
        if (d.task.preferred && d.task.preferred.until <= now && this.#tasks.has(d.task.id))
          this.#dropPreference(d.task);
      } else if (
        d.task.status === 'waiting' &&
        d.task.targetEpoch === d.epoch &&
        this.#tasks.has(d.task.id)
      ) {
        if (d.task.preferred) continue; // relaxes when the sticky hold ends (#place catches up)
        this.#unplace(d.task);
        this.#place(d.task);
      }
    }
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
      agents: this.#agents as ReadonlyMap<string, Agent>,
      tasks: this.#tasks as ReadonlyMap<string, Task>,
      buckets: this.#buckets as ReadonlyMap<string, Bucket>,
      workflows: this.#workflows as ReadonlyMap<string, CompiledWorkflow>,
      defaultWorkflow: this.#defaultWorkflow,
      route: (wf: CompiledWorkflow, channel: Channel, attrs: TaskInput['attributes']) =>
        this.#route(wf, channel, attrs),
      eligible: (a: Agent, b: Bucket) => this.#eligible(a, b),
      now: () => this.#clock.now(),
    };
  }
}

function basePriority(attrs: TaskInput['attributes']): number {
  const p = attrs['priority'];
  return typeof p === 'number' && Number.isFinite(p) ? p : 0;
}

function offerView(o: Offer): OfferView {
  return {
    id: o.id,
    taskId: o.task.id,
    agentId: o.agent.profile.userId,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
  };
}
