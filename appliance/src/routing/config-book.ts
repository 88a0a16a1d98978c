import { OutOfRangeError } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import type { Calendar } from './calendar.ts';
import { assertTimeZone, toMinutes } from './calendar.ts';
import { type ClosedReply, DEFAULT_CLOSED_REPLY } from './closed-reply.ts';
import type { RoutingEngine } from './engine.ts';
import {
  type AgentProfile,
  FALLBACK_QUEUE,
  type QueueConfig,
  type RoutingConfig,
  type WorkflowConfig,
} from './engine-types.ts';
import { RoutingError } from './errors.ts';
import { skillsOf } from './references.ts';
import { type RoutingSnapshot, RoutingStore } from './store.ts';
import { type ConfigKind, type SkillConfig, SYSTEM_REASON_CODES } from './types.ts';

/** The calendar a fresh appliance's default workflow (and so the web chat, the IVR's hours) follows. */
export const DEFAULT_CALENDAR = 'business-hours';

/**
 * The routing service's persisted side: configuration and agent profiles in
 * the store, mirrored into the engine. Every write runs on one serial chain.
 */
export class RoutingConfigBook {
  readonly #store: RoutingStore;
  readonly #bus: EventBus;
  readonly #engine: RoutingEngine;
  #snap: RoutingSnapshot = {
    queues: [],
    skills: [],
    workflows: [],
    calendars: [],
    profiles: [],
    reasonCodes: [],
  };
  #writes: Promise<unknown> = Promise.resolve();
  #closedReply: ClosedReply = DEFAULT_CLOSED_REPLY;

  constructor(db: DocStore, options: { bus: EventBus; engine: RoutingEngine }) {
    this.#store = new RoutingStore(db);
    this.#bus = options.bus;
    this.#engine = options.engine;
  }

  /** The current snapshot (read-only: every change replaces it). */
  get snapshot(): Readonly<RoutingSnapshot> {
    return this.#snap;
  }

  /** Reads configuration and profiles from the store into the engine. */
  async load(): Promise<void> {
    this.#snap = await this.#store.load();
    this.#closedReply = (await this.#store.closedReply()) ?? DEFAULT_CLOSED_REPLY;
    this.#engine.configure(this.#engineConfig(this.#snap));
    for (const p of this.#snap.profiles) this.#engine.upsertAgent(p);
  }

  /**
   * First start: a fresh appliance routes every channel to 'general' (anyone
   * available) through a default workflow on a 24/7 calendar an admin edits
   * (holidays, hours). Runs once (a marker document), and never over existing
   * configuration; each item is a config change audited as the system.
   */
  async seedDefaults(timeZone: string): Promise<boolean> {
    if (await this.#store.seeded()) return false;
    const s = this.#snap;
    const fresh = s.queues.length === 0 && s.workflows.length === 0;
    if (fresh) {
      const all: Array<[string, string]> = [['00:00', '24:00']];
      await this.putCalendar(
        {
          id: DEFAULT_CALENDAR,
          name: 'Business hours',
          timeZone,
          weekly: { Mon: all, Tue: all, Wed: all, Thu: all, Fri: all, Sat: all, Sun: all },
          holidays: [],
        },
        'system',
      );
      await this.putQueue({ id: FALLBACK_QUEUE, name: 'General' }, 'system');
      await this.putWorkflow(
        {
          id: 'default',
          name: 'Default',
          filters: [],
          defaultTarget: { queue: FALLBACK_QUEUE },
          calendarId: DEFAULT_CALENDAR,
          whenClosed: 'offline',
        },
        'system',
      );
    }
    await this.#store.markSeeded();
    return fresh;
  }

  config(): Omit<RoutingSnapshot, 'profiles'> {
    const { profiles: _, ...rest } = this.#snap;
    return structuredClone(rest);
  }

  async putQueue(q: QueueConfig, actor: string): Promise<void> {
    // Parsed even when no workflow targets the queue yet: a '((' would otherwise be stored and route nobody.
    if (q.agentExpression) skillsOf(q.agentExpression, 'agentExpression');
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
          if (toMinutes(a) >= toMinutes(b))
            throw new OutOfRangeError('ROUTING_INVALID_CONFIG', `empty interval ${a}–${b}`);
    } catch (err) {
      throw invalid(err);
    }
    return this.#change('calendar', c.id, actor, (s) => ({ ...s, calendars: upsert(s.calendars, c) }), c);
  }
  /** The automatic out-of-hours reply on email, WeChat and WeCom (zh-CN and English). */
  get closedReply(): ClosedReply {
    return this.#closedReply;
  }

  putClosedReply(reply: ClosedReply, actor: string) {
    return this.#serial(async () => {
      await this.#store.putClosedReply(reply);
      this.#closedReply = { ...reply };
      await this.#bus.publish(
        'routing.config_changed',
        { kind: 'closed-reply', id: 'closed-reply', deleted: false },
        { actor },
      );
    });
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
    kind: Exclude<ConfigKind, 'reasons' | 'profile' | 'closed-reply'>,
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

  putProfile(p: AgentProfile, actor: string): Promise<void> {
    for (const [skill, level] of Object.entries(p.skills)) {
      if (!Number.isInteger(level) || level < 1 || level > 5)
        throw invalid(new OutOfRangeError('ROUTING_INVALID_CONFIG', `skill ${skill}: level must be 1–5`));
    }
    return this.#serial(async () => {
      await this.#store.put('profile', p.userId, p);
      this.#snap = { ...this.#snap, profiles: upsert(this.#snap.profiles, p, 'userId') };
      this.#engine.upsertAgent(p);
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
      this.#engine.removeAgent(userId);
      await this.#bus.publish(
        'routing.config_changed',
        { kind: 'profile', id: userId, deleted: true },
        { actor },
      );
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
        this.#engine.configure(this.#engineConfig(snap));
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
