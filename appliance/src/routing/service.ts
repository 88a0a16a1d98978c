import { randomUUID } from 'node:crypto';
import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { DocStore } from '../storage/index.ts';
import type { Calendar } from './calendar.ts';
import type { ClosedReply } from './closed-reply.ts';
import { RoutingConfigBook } from './config-book.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import { toBusEvent } from './decision-events.ts';
import { RoutingEngine } from './engine.ts';
import { agentScope } from './engine-model.ts';
import type {
  AgentProfile,
  AgentState,
  Clock,
  EngineEvent,
  EnqueueOutcome,
  OfferView,
  QueueConfig,
  TaskInput,
  TaskView,
  WorkflowConfig,
} from './engine-types.ts';
import { RoutingError } from './errors.ts';
import { compileExpression } from './expr.ts';
import { estimateWait, type MatchTestResult, matchTest, type WaitEstimate } from './insight.ts';
import { assertReferences, checkExpression, type UsedBy, usersOf } from './references.ts';
import type { RoutingSnapshot } from './store.ts';
import type { ConfigKind, SkillConfig } from './types.ts';

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
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly engine: RoutingEngine;
  readonly #config: RoutingConfigBook;
  readonly #deadlines: DeadlineTimer;
  #listeners = new Set<DecisionListener>();
  #callbackPhones = new Map<string, string>();

  constructor(db: DocStore, options: RoutingServiceOptions) {
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
    this.#config = new RoutingConfigBook(db, { bus: this.#bus, engine: this.engine });
    this.#deadlines = new DeadlineTimer(this.engine, this.#clock);
  }

  /** Reads configuration and profiles from the store into the engine. */
  load(): Promise<void> {
    return this.#config.load();
  }

  /** First start: the default calendar, queue and workflow (see RoutingConfigBook.seedDefaults). */
  seedDefaults(options: { timeZone: string }): Promise<boolean> {
    return this.#config.seedDefaults(options.timeZone);
  }

  /** Starts the deadline timer (offer timeouts, relaxations). Node only; the Deno smoke test never calls it. */
  start(): void {
    this.#deadlines.start();
  }

  close(): void {
    this.#deadlines.close();
    this.#listeners.clear();
  }

  onDecision(listener: DecisionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- configuration ---------------------------------------------------

  config(): Omit<RoutingSnapshot, 'profiles'> {
    return this.#config.config();
  }

  putQueue(q: QueueConfig, actor: string) {
    return this.#config.putQueue(q, actor);
  }
  putSkill(k: SkillConfig, actor: string) {
    return this.#config.putSkill(k, actor);
  }
  putWorkflow(w: WorkflowConfig, actor: string) {
    return this.#config.putWorkflow(w, actor);
  }
  putCalendar(c: Calendar, actor: string) {
    return this.#config.putCalendar(c, actor);
  }
  putReasonCodes(codes: string[], actor: string) {
    return this.#config.putReasonCodes(codes, actor);
  }

  /** The automatic reply a customer gets on email/WeChat/WeCom while the branch is closed. */
  closedReply(): ClosedReply {
    return { ...this.#config.closedReply };
  }
  putClosedReply(reply: ClosedReply, actor: string): Promise<void> {
    return this.#config.putClosedReply(reply, actor);
  }

  removeConfig(
    kind: Exclude<ConfigKind, 'reasons' | 'profile' | 'closed-reply'>,
    id: string,
    actor: string,
  ): Promise<void> {
    return this.#config.removeConfig(kind, id, actor);
  }

  /** Refuses an item naming an unknown skill, queue or calendar, or a condition that does not parse (field named). */
  assertReferences(item: Parameters<typeof assertReferences>[1]): void {
    assertReferences(this.#config.snapshot, item);
  }

  /** The queues, workflows and agent profiles using a skill, queue or calendar. */
  usedBy(kind: 'skill' | 'queue' | 'calendar' | 'workflow', id: string): UsedBy[] {
    return usersOf(this.#config.snapshot, kind, id);
  }

  /**
   * An agent condition checked as a queue would be on save, and the agent
   * profiles it matches (a sample the console shows before saving).
   */
  expressionSample(expression: string): Array<Pick<AgentProfile, 'userId' | 'displayName' | 'skills'>> {
    checkExpression(this.#config.snapshot, expression, 'agentExpression');
    const expr = compileExpression(expression);
    return this.#config.snapshot.profiles
      .filter((p) => expr.test(agentScope(p)))
      .map((p) => ({
        userId: p.userId,
        ...(p.displayName === undefined ? {} : { displayName: p.displayName }),
        skills: { ...p.skills },
      }));
  }

  // ---- agents ----------------------------------------------------------

  profiles(): Array<AgentProfile & { state: AgentState; reason?: string; load: number }> {
    return this.#config.snapshot.profiles.map((p) => {
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
    return this.#config.putProfile(p, actor);
  }

  removeProfile(userId: string, actor: string): Promise<void> {
    return this.#config.removeProfile(userId, actor);
  }

  myState(userId: string) {
    const a = this.engine.agent(userId);
    if (!a) throw new RoutingError('ROUTING_NOT_AN_AGENT', 'You have no agent profile', { status: 404 });
    return {
      userId,
      state: a.state,
      ...(a.reason ? { reason: a.reason } : {}),
      since: new Date(a.since).toISOString(),
      reasonCodes: [...this.#config.snapshot.reasonCodes],
      // The queue's name goes with the offer: agents may not read the queue list (contacts.monitor).
      offers: this.engine.offersFor(userId).map(({ offer, task }) => ({
        ...offerOut(offer),
        task,
        queueName: this.#config.snapshot.queues.find((q) => q.id === task.queueId)?.name ?? task.queueId,
      })),
    };
  }

  /**
   * A user who may handle contacts and has no routing profile yet gets the
   * default one (every channel, no skills) when they first make themselves
   * available, so a fresh appliance needs no routing set-up to answer anyone.
   */
  async ensureProfile(userId: string): Promise<void> {
    if (this.engine.agent(userId)) return;
    await this.#config.putProfile(defaultProfile(userId), 'system');
  }

  setMyState(userId: string, state: AgentState, reason?: string): void {
    const { reasonCodes } = this.#config.snapshot;
    if (state === 'not_ready' && (reason === undefined || !reasonCodes.includes(reason))) {
      throw new RoutingError('ROUTING_INVALID_CONFIG', `Not-ready needs one of: ${reasonCodes.join(', ')}`, {
        details: { reasonCodes },
      });
    }
    this.engine.setAgentState(userId, state, reason);
    this.#deadlines.schedule();
  }

  accept(offerId: string, userId: string): TaskView {
    const t = this.engine.accept(offerId, userId);
    this.#deadlines.schedule();
    return t;
  }

  reject(offerId: string, userId: string): void {
    this.engine.reject(offerId, userId);
    this.#deadlines.schedule();
  }

  // ---- tasks -----------------------------------------------------------

  enqueue(input: Omit<TaskInput, 'id'> & { id?: string }): EnqueueOutcome {
    const out = this.engine.enqueue({ ...input, id: input.id ?? randomUUID() });
    this.#deadlines.schedule();
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
    this.#deadlines.schedule();
  }

  remove(taskId: string, reason: string): boolean {
    const removed = this.engine.remove(taskId, reason);
    this.#deadlines.schedule();
    return removed;
  }

  matchTest(input: Parameters<typeof matchTest>[1]): MatchTestResult {
    return matchTest(this.engine, input);
  }

  /** Business hours for other modules (web chat's offline form, IVR). */
  isOpen(calendarId: string, at: Date = new Date(this.#clock.now())): boolean {
    return this.engine.isOpen(calendarId, at.getTime());
  }

  /** The branch is open by the default workflow's calendar: the one calendar every channel follows. */
  isOpenNow(at: Date = new Date(this.#clock.now())): boolean {
    return this.engine.isOpenNow(at.getTime());
  }

  // ---- decisions → events ---------------------------------------------

  #alarmUnroutable(task: TaskView, reason: string): void {
    const detail = `contact ${task.contactId ?? task.id} (${task.channel}): ${reason === 'no_workflow' ? 'no workflow is configured' : 'no workflow filter or default target matched'}; sent to queue '${task.queueId}'`;
    log.warn(`unroutable contact [task:${task.id}] [reason:${reason}] [queue:${task.queueId}]`);
    this.#bus
      .publish(
        'system.alarm_raised',
        { alarm: 'routing.contact_unroutable', severity: 'warning', detail },
        { actor: 'system' },
      )
      .catch((err) => log.error('publish failed', { err }));
  }

  #onDecision(e: EngineEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        log.error('decision listener failed', { err });
      }
    }
    if (e.type === 'task_completed' || e.type === 'task_removed') this.#callbackPhones.delete(e.task.id);
    if (e.type === 'task_unroutable') this.#alarmUnroutable(e.task, e.reason);
    const out = toBusEvent(e);
    if (out) {
      this.#bus
        .publish(out[0], out[1] as never, { actor: out[2] })
        .catch((err) => log.error('publish failed', { err }));
    }
  }
}

/** Every channel, no skills: what 'any available agent' needs. */
function defaultProfile(userId: string): AgentProfile {
  return {
    userId,
    skills: {},
    languages: [],
    capacity: { voice: 1, webchat: 3, email: 5, wechat: 3, wecom: 3 },
    totalCapacity: 5,
  };
}

function offerOut(o: OfferView) {
  return {
    offerId: o.id,
    taskId: o.taskId,
    expiresAt: new Date(o.expiresAt).toISOString(),
    createdAt: new Date(o.createdAt).toISOString(),
  };
}
