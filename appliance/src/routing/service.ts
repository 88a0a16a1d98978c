import { randomUUID } from 'node:crypto';
import type { EventBus, EventCatalogue } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import type { Calendar } from './calendar.ts';
import { assertTimeZone, toMinutes } from './calendar.ts';
import { RoutingEngine } from './engine.ts';
import type {
  AgentProfile,
  AgentState,
  Clock,
  EngineEvent,
  EnqueueOutcome,
  OfferView,
  QueueConfig,
  RoutingConfig,
  TaskInput,
  TaskView,
  WorkflowConfig,
} from './engine-types.ts';
import { RoutingError } from './errors.ts';
import { estimateWait, type MatchTestResult, matchTest, type WaitEstimate } from './insight.ts';
import { type RoutingSnapshot, RoutingStore } from './store.ts';
import { type ConfigKind, type SkillConfig, SYSTEM_REASON_CODES } from './types.ts';

const log = createLogger('routing');

export interface RoutingServiceOptions {
  bus: EventBus;
  clock?: Clock;
  offerTimeoutSeconds?: number;
  defaultHandleSeconds?: number;
}

/** Listener for engine decisions beyond the bus (the contacts bridge). */
export type DecisionListener = (e: EngineEvent) => void;

/**
 * Routing as the appliance uses it: the engine plus persisted configuration,
 * bus events for every decision, and the deadline timer. Agent state is not
 * persisted: after a restart every agent starts offline and signs in again.
 */
export class RoutingService {
  readonly #store: RoutingStore;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly engine: RoutingEngine;
  #snap: RoutingSnapshot = {
    queues: [],
    skills: [],
    workflows: [],
    calendars: [],
    profiles: [],
    reasonCodes: [],
  };
  #listeners = new Set<DecisionListener>();
  #callbackPhones = new Map<string, string>();
  #writes: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;

  constructor(db: DocStore, options: RoutingServiceOptions) {
    this.#store = new RoutingStore(db);
    this.#bus = options.bus;
    this.#clock = options.clock ?? { now: Date.now };
    this.engine = new RoutingEngine({
      clock: this.#clock,
      sink: (e) => this.#onDecision(e),
      ...(options.offerTimeoutSeconds === undefined
        ? {}
        : { offerTimeoutSeconds: options.offerTimeoutSeconds }),
      ...(options.defaultHandleSeconds === undefined
        ? {}
        : { defaultHandleSeconds: options.defaultHandleSeconds }),
    });
  }

  /** Reads configuration and profiles from the store into the engine. */
  async load(): Promise<void> {
    this.#snap = await this.#store.load();
    this.engine.configure(this.#engineConfig(this.#snap));
    for (const p of this.#snap.profiles) this.engine.upsertAgent(p);
  }

  /** Starts the deadline timer (offer timeouts, relaxations). Node only; the Deno smoke test never calls it. */
  start(): void {
    this.#running = true;
    this.#schedule();
  }

  close(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  onDecision(listener: DecisionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- configuration ---------------------------------------------------

  config(): Omit<RoutingSnapshot, 'profiles'> {
    const { profiles: _, ...rest } = this.#snap;
    return structuredClone(rest);
  }

  putQueue(q: QueueConfig, actor: string) {
    return this.#change('queue', q.id, actor, (s) => ({ ...s, queues: upsert(s.queues, q) }), q);
  }
  putSkill(k: SkillConfig, actor: string) {
    return this.#change('skill', k.id, actor, (s) => ({ ...s, skills: upsert(s.skills, k) }), k);
  }
  putWorkflow(w: WorkflowConfig, actor: string) {
    return this.#change('workflow', w.id, actor, (s) => ({ ...s, workflows: upsert(s.workflows, w) }), w);
  }
  putCalendar(c: Calendar, actor: string) {
    try {
      assertTimeZone(c.timeZone);
      for (const spans of Object.values(c.weekly))
        for (const [a, b] of spans ?? [])
          if (toMinutes(a) >= toMinutes(b)) throw new RangeError(`empty interval ${a}–${b}`);
    } catch (err) {
      throw invalid(err);
    }
    return this.#change('calendar', c.id, actor, (s) => ({ ...s, calendars: upsert(s.calendars, c) }), c);
  }
  putReasonCodes(codes: string[], actor: string) {
    return this.#serial(async () => {
      const clean = [...new Set(codes)].filter(
        (c) => !(SYSTEM_REASON_CODES as readonly string[]).includes(c),
      );
      await this.#store.putReasons(clean);
      this.#snap = { ...this.#snap, reasonCodes: clean };
      await this.#bus.publish(
        'routing.config_changed',
        { kind: 'reasons', id: 'reasons', deleted: false },
        { actor },
      );
    });
  }

  async removeConfig(
    kind: Exclude<ConfigKind, 'reasons' | 'profile'>,
    id: string,
    actor: string,
  ): Promise<void> {
    const key = ({ queue: 'queues', skill: 'skills', workflow: 'workflows', calendar: 'calendars' } as const)[
      kind
    ];
    await this.#change(kind, id, actor, (s) => {
      const list = s[key] as Array<{ id: string }>;
      if (!list.some((x) => x.id === id))
        throw new RoutingError('ROUTING_NOT_FOUND', `No ${kind} ${id}`, { status: 404 });
      return { ...s, [key]: list.filter((x) => x.id !== id) };
    });
  }

  /** Validates by configuring the engine first: a bad expression or dangling reference changes nothing. */
  #change(
    kind: ConfigKind,
    id: string,
    actor: string,
    next: (s: RoutingSnapshot) => RoutingSnapshot,
    value?: object,
  ) {
    return this.#serial(async () => {
      const snap = next(this.#snap);
      try {
        this.engine.configure(this.#engineConfig(snap));
      } catch (err) {
        throw invalid(err);
      }
      if (value) await this.#store.put(kind as 'queue', id, value as QueueConfig);
      else await this.#store.remove(kind as 'queue', id);
      this.#snap = snap;
      await this.#bus.publish('routing.config_changed', { kind, id, deleted: !value }, { actor });
    });
  }

  #engineConfig(s: RoutingSnapshot): RoutingConfig {
    return { queues: s.queues, workflows: s.workflows, calendars: s.calendars };
  }

  #serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(f, f);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  // ---- agents ----------------------------------------------------------

  profiles(): Array<AgentProfile & { state: AgentState; reason?: string; load: number }> {
    return this.#snap.profiles.map((p) => {
      const a = this.engine.agent(p.userId);
      return {
        ...p,
        state: a?.state ?? 'offline',
        ...(a?.reason ? { reason: a.reason } : {}),
        load: a?.load ?? 0,
      };
    });
  }

  putProfile(p: AgentProfile, actor: string): Promise<void> {
    for (const [skill, level] of Object.entries(p.skills)) {
      if (!Number.isInteger(level) || level < 1 || level > 5)
        throw invalid(new RangeError(`skill ${skill}: level must be 1–5`));
    }
    return this.#serial(async () => {
      await this.#store.put('profile', p.userId, p);
      this.#snap = { ...this.#snap, profiles: upsert(this.#snap.profiles, p, 'userId') };
      this.engine.upsertAgent(p);
      await this.#bus.publish(
        'routing.config_changed',
        { kind: 'profile', id: p.userId, deleted: false },
        { actor },
      );
    });
  }

  removeProfile(userId: string, actor: string): Promise<void> {
    return this.#serial(async () => {
      if (!(await this.#store.remove('profile', userId))) {
        throw new RoutingError('ROUTING_NOT_FOUND', `No agent profile for ${userId}`, { status: 404 });
      }
      this.#snap = { ...this.#snap, profiles: this.#snap.profiles.filter((x) => x.userId !== userId) };
      this.engine.removeAgent(userId);
      await this.#bus.publish(
        'routing.config_changed',
        { kind: 'profile', id: userId, deleted: true },
        { actor },
      );
    });
  }

  myState(userId: string) {
    const a = this.engine.agent(userId);
    if (!a) throw new RoutingError('ROUTING_NOT_AN_AGENT', 'You have no agent profile', { status: 404 });
    return {
      userId,
      state: a.state,
      ...(a.reason ? { reason: a.reason } : {}),
      since: new Date(a.since).toISOString(),
      reasonCodes: [...this.#snap.reasonCodes],
      offers: this.engine.offersFor(userId).map(({ offer, task }) => ({ ...offerOut(offer), task })),
    };
  }

  setMyState(userId: string, state: AgentState, reason?: string): void {
    if (state === 'not_ready' && (reason === undefined || !this.#snap.reasonCodes.includes(reason))) {
      throw new RoutingError(
        'ROUTING_INVALID_CONFIG',
        `Not-ready needs one of: ${this.#snap.reasonCodes.join(', ')}`,
        {
          details: { reasonCodes: this.#snap.reasonCodes },
        },
      );
    }
    this.engine.setAgentState(userId, state, reason);
    this.#schedule();
  }

  accept(offerId: string, userId: string): TaskView {
    const t = this.engine.accept(offerId, userId);
    this.#schedule();
    return t;
  }

  reject(offerId: string, userId: string): void {
    this.engine.reject(offerId, userId);
    this.#schedule();
  }

  // ---- tasks -----------------------------------------------------------

  enqueue(input: Omit<TaskInput, 'id'> & { id?: string }): EnqueueOutcome {
    const out = this.engine.enqueue({ ...input, id: input.id ?? randomUUID() });
    this.#schedule();
    return out;
  }

  tasks(): TaskView[] {
    return this.engine.tasks();
  }

  task(taskId: string): TaskView & { callbackPhone?: string } {
    const t = this.engine.task(taskId);
    if (!t) throw new RoutingError('ROUTING_NOT_FOUND', `No task ${taskId}`, { status: 404 });
    const phone = this.#callbackPhones.get(taskId);
    return phone ? { ...t, callbackPhone: phone } : t;
  }

  position(taskId: string): WaitEstimate {
    return estimateWait(this.engine, taskId);
  }

  /** Keeps the place; the phone number stays in memory only (never in events or the audit trail). */
  requestCallback(taskId: string, phone: string): TaskView {
    const t = this.engine.requestCallback(taskId);
    this.#callbackPhones.set(taskId, phone);
    return t;
  }

  complete(taskId: string, by: { userId: string; override: boolean }): void {
    const t = this.task(taskId);
    if (!by.override && t.agentId !== by.userId) {
      throw new RoutingError('ROUTING_NOT_FOUND', `Task ${taskId} is not assigned to you`, { status: 404 });
    }
    this.engine.complete(taskId);
    this.#schedule();
  }

  remove(taskId: string, reason: string): boolean {
    const removed = this.engine.remove(taskId, reason);
    this.#schedule();
    return removed;
  }

  matchTest(input: Parameters<typeof matchTest>[1]): MatchTestResult {
    return matchTest(this.engine, input);
  }

  /** Business hours for other modules (web chat's offline form, IVR). */
  isOpen(calendarId: string, at: Date = new Date(this.#clock.now())): boolean {
    return this.engine.isOpen(calendarId, at.getTime());
  }

  // ---- decisions → events ---------------------------------------------

  #onDecision(e: EngineEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        log.error('decision listener failed', { err });
      }
    }
    if (e.type === 'task_completed' || e.type === 'task_removed') this.#callbackPhones.delete(e.task.id);
    const out = toBusEvent(e);
    if (out) {
      this.#bus
        .publish(out[0], out[1] as never, { actor: out[2] })
        .catch((err) => log.error('publish failed', { err }));
    }
  }

  #schedule(): void {
    if (!this.#running) return;
    const next = this.engine.nextDeadline();
    if (next === undefined || next >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        try {
          this.engine.tick();
        } catch (err) {
          log.error('routing tick failed', { err });
        }
        this.#schedule();
      },
      Math.max(0, next - this.#clock.now()) + 5,
    );
    this.#timer.unref();
  }
}

function offerOut(o: OfferView) {
  return {
    offerId: o.id,
    taskId: o.taskId,
    expiresAt: new Date(o.expiresAt).toISOString(),
    createdAt: new Date(o.createdAt).toISOString(),
  };
}

type BusOut = { [K in keyof EventCatalogue]: [K, EventCatalogue[K], string] }[keyof EventCatalogue];

function toBusEvent(e: EngineEvent): BusOut | undefined {
  const contact = (t: { contactId?: string }) => (t.contactId ? { contactId: t.contactId } : {});
  switch (e.type) {
    case 'agent_state_changed':
      return [
        'agent.state_changed',
        {
          userId: e.userId,
          state: e.state,
          previous: e.previous,
          ...(e.reason ? { reason: e.reason } : {}),
          recipientUserId: e.userId,
        },
        e.reason === 'rona' ? 'system' : e.userId,
      ];
    case 'task_queued':
      return [
        'routing.task_queued',
        {
          taskId: e.task.id,
          ...contact(e.task),
          queueId: e.task.queueId,
          channel: e.task.channel,
          priority: e.task.priority,
        },
        'system',
      ];
    case 'task_rejected':
      return ['routing.task_rejected', { taskId: e.taskId, ...contact(e), reason: e.reason }, 'system'];
    case 'task_relaxed':
      return [
        'routing.task_relaxed',
        { taskId: e.task.id, ...contact(e.task), fromQueue: e.fromQueue, toQueue: e.task.queueId },
        'system',
      ];
    case 'offer_created':
      return [
        'routing.offer_created',
        {
          offerId: e.offer.id,
          taskId: e.task.id,
          ...contact(e.task),
          agentId: e.offer.agentId,
          recipientUserId: e.offer.agentId,
          channel: e.task.channel,
          queueId: e.task.queueId,
          expiresAt: new Date(e.offer.expiresAt).toISOString(),
          timeoutSeconds: Math.round((e.offer.expiresAt - e.offer.createdAt) / 1000),
          attributes: e.task.attributes,
          ...(e.task.customerId ? { customerId: e.task.customerId } : {}),
        },
        'system',
      ];
    case 'offer_accepted':
    case 'offer_rejected':
    case 'offer_timed_out':
    case 'offer_cancelled': {
      const data = {
        offerId: e.offer.id,
        taskId: e.task.id,
        ...contact(e.task),
        agentId: e.offer.agentId,
        recipientUserId: e.offer.agentId,
      };
      const actor = e.type === 'offer_accepted' || e.type === 'offer_rejected' ? e.offer.agentId : 'system';
      return [`routing.${e.type}`, data, actor] as BusOut;
    }
    case 'task_completed':
      return [
        'routing.task_completed',
        {
          taskId: e.task.id,
          ...contact(e.task),
          agentId: e.agentId,
          handleSeconds: Math.round(e.handleMs / 1000),
        },
        e.agentId,
      ];
    case 'task_removed':
      return ['routing.task_removed', { taskId: e.task.id, ...contact(e.task), reason: e.reason }, 'system'];
    case 'callback_requested':
      return ['routing.callback_requested', { taskId: e.task.id, ...contact(e.task) }, 'system'];
  }
  return undefined;
}

function upsert<T extends object>(list: T[], item: T, key = 'id'): T[] {
  const id = (item as Record<string, unknown>)[key];
  return [...list.filter((x) => (x as Record<string, unknown>)[key] !== id), item];
}

function invalid(err: unknown): RoutingError {
  if (err instanceof RoutingError) return err;
  return new RoutingError('ROUTING_INVALID_CONFIG', err instanceof Error ? err.message : String(err), {
    cause: err,
  });
}
