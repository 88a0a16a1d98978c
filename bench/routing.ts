// `npm run bench -- routing`: the incremental routing engine against a naive
// full-scan matcher, on the same workload: 500 agents, ~2,000 waiting contacts,
// mixed skills and channels, Poisson arrivals and agent state churn.
import {
  compileExpression,
  type Expression,
  type RoutingConfig,
  RoutingEngine,
} from '../appliance/src/routing/index.ts';

const AGENTS = 500;
const WAITING = 2000;
const SKILLS = 8;
const CHANNELS = ['voice', 'webchat', 'email'] as const;
const CAPACITY = { voice: 1, webchat: 3, email: 5 };
const LANGS = ['zh', 'en', 'yue'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const config: RoutingConfig = {
  queues: Array.from({ length: SKILLS }, (_, i) => ({
    id: `q${i}`,
    name: `Q${i}`,
    agentExpression: `skills.s${i} >= 1`,
  })),
  calendars: [],
  workflows: [
    {
      id: 'wf',
      name: 'bench',
      offerTimeoutSeconds: 20,
      filters: [
        {
          name: 'vip',
          expression: 'vip == true',
          targets: [{ queue: 'q0', priority: 10, agentExpression: 'skills.s0 >= 3' }],
        },
        ...Array.from({ length: SKILLS }, (_, i) => ({
          name: `s${i}`,
          expression: `intent == 's${i}'`,
          targets: [
            {
              queue: `q${i}`,
              agentExpression: `skills.s${i} >= 4 && task.language in languages`,
              timeoutSeconds: 30,
            },
            {
              queue: `q${i}`,
              agentExpression: `skills.s${i} >= 2 && task.language in languages`,
              timeoutSeconds: 60,
            },
            { queue: `q${i}` },
          ],
        })),
      ],
    },
  ],
};

interface Profile {
  userId: string;
  skills: Record<string, number>;
  languages: string[];
  capacity: Record<string, number>;
  totalCapacity: number;
}

function makeAgents(rand: () => number): Profile[] {
  return Array.from({ length: AGENTS }, (_, i) => {
    const skills: Record<string, number> = {};
    for (let k = 0; k < 3; k++) skills[`s${Math.floor(rand() * SKILLS)}`] = 1 + Math.floor(rand() * 5);
    const languages = LANGS.filter(() => rand() < 0.6);
    if (languages.length === 0) languages.push('zh');
    return { userId: `a${i}`, skills, languages, capacity: { ...CAPACITY }, totalCapacity: 5 };
  });
}

function makeTask(rand: () => number, n: number) {
  return {
    id: `t${n}`,
    channel: CHANNELS[Math.floor(rand() * 3)] as string,
    attributes: {
      intent: `s${Math.floor(rand() * SKILLS)}`,
      language: LANGS[Math.floor(rand() * LANGS.length)] as string,
      vip: rand() < 0.05,
    },
  };
}

/** What the driver needs from either matcher. Offers come back from each call. */
interface Matcher {
  enqueue(task: ReturnType<typeof makeTask>): Array<[string, string]>;
  complete(taskId: string): Array<[string, string]>;
  setState(userId: string, available: boolean): Array<[string, string]>;
  tick(): Array<[string, string]>;
  /** Setup only (untimed): add a task; the naive matcher defers its rescan to `tick`. */
  fill?(task: ReturnType<typeof makeTask>): Array<[string, string]>;
}

function incremental(clock: { now(): number }, agents: Profile[]): Matcher {
  let pending: Array<{ offerId: string; taskId: string; userId: string }> = [];
  const engine = new RoutingEngine({
    clock,
    sink: (e) => {
      if (e.type === 'offer_created')
        pending.push({ offerId: e.offer.id, taskId: e.task.id, userId: e.offer.agentId });
    },
  });
  engine.configure(config);
  for (const a of agents) engine.upsertAgent(a);
  // Offers are accepted at once (outside the timed call), as a console would a moment later.
  const drain = (): Array<[string, string]> => {
    const out = pending;
    pending = [];
    for (const o of out) engine.accept(o.offerId, o.userId);
    return out.map((o) => [o.taskId, o.userId]);
  };
  const after =
    <A extends unknown[]>(f: (...args: A) => unknown) =>
    (...args: A) => {
      f(...args);
      return drain();
    };
  return {
    enqueue: after((t: ReturnType<typeof makeTask>) => engine.enqueue(t)),
    complete: after((id: string) => engine.complete(id)),
    setState: after((u: string, av: boolean) =>
      engine.setAgentState(u, av ? 'available' : 'not_ready', av ? undefined : 'break'),
    ),
    tick: after(() => engine.tick()),
  };
}

/**
 * The naive matcher: on every event, sort all waiting tasks best-first and,
 * for each, scan every agent (longest idle first) evaluating the target's
 * expressions — the full rescan the design forbids. Same targets and relax
 * timeouts, so both make the same kind of decisions.
 */
function naive(clock: { now(): number }, agents: Profile[]): Matcher {
  const wf = config.workflows[0]!;
  const compiled = wf.filters.map((f) => ({
    expr: compileExpression(f.expression),
    targets: f.targets.map((t) => ({
      queue: compileExpression(config.queues.find((q) => q.id === t.queue)!.agentExpression ?? 'true'),
      expr: compileExpression(t.agentExpression ?? 'true'),
      priority: t.priority ?? 0,
      timeoutMs: (t.timeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000,
    })),
  }));
  type Target = { queue: Expression; expr: Expression; priority: number; timeoutMs: number };
  interface W {
    id: string;
    channel: string;
    attrs: Record<string, unknown>;
    targets: Target[];
    createdAt: number;
    seq: number;
  }
  const waiting = new Map<string, W>();
  const st = agents.map((p) => ({
    p,
    available: false,
    idleSince: 0,
    load: new Map<string, number>(),
    total: 0,
  }));
  const assigned = new Map<string, { a: (typeof st)[number]; channel: string }>();
  let seq = 0;
  const targetOf = (w: W) => {
    let age = clock.now() - w.createdAt;
    for (const t of w.targets) {
      if (age < t.timeoutMs) return t;
      age -= t.timeoutMs;
    }
    return w.targets[w.targets.length - 1]!;
  };
  const rescan = (): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    const tasks = [...waiting.values()]
      .map((w) => ({ w, t: targetOf(w) }))
      .sort((x, y) => y.t.priority - x.t.priority || x.w.createdAt - y.w.createdAt || x.w.seq - y.w.seq);
    const byIdle = [...st].sort((x, y) => x.idleSince - y.idleSince);
    for (const { w, t } of tasks) {
      for (const a of byIdle) {
        const free =
          a.available &&
          a.total < a.p.totalCapacity &&
          (a.load.get(w.channel) ?? 0) < (a.p.capacity[w.channel] ?? 0);
        if (!free) continue;
        const scope = { userId: a.p.userId, skills: a.p.skills, languages: a.p.languages, task: w.attrs };
        if (!t.queue.test(scope) || !t.expr.test(scope)) continue;
        a.load.set(w.channel, (a.load.get(w.channel) ?? 0) + 1);
        a.total++;
        waiting.delete(w.id);
        assigned.set(w.id, { a, channel: w.channel });
        out.push([w.id, a.p.userId]);
        break;
      }
    }
    return out;
  };
  return {
    enqueue(task) {
      const scope = { ...task.attributes, channel: task.channel };
      const f = compiled.find((c) => c.expr.test(scope));
      if (f)
        waiting.set(task.id, {
          id: task.id,
          channel: task.channel,
          attrs: task.attributes,
          targets: f.targets,
          createdAt: clock.now(),
          seq: seq++,
        });
      return rescan();
    },
    complete(id) {
      const x = assigned.get(id);
      if (x) {
        assigned.delete(id);
        x.a.load.set(x.channel, (x.a.load.get(x.channel) ?? 1) - 1);
        x.a.total--;
        if (x.a.total === 0) x.a.idleSince = clock.now();
      }
      return rescan();
    },
    setState(u, av) {
      const a = st.find((s) => s.p.userId === u)!;
      a.available = av;
      if (av) a.idleSince = clock.now();
      return rescan();
    },
    tick: rescan,
    fill(task) {
      const scope = { ...task.attributes, channel: task.channel };
      const f = compiled.find((c) => c.expr.test(scope));
      if (f)
        waiting.set(task.id, {
          id: task.id,
          channel: task.channel,
          attrs: task.attributes,
          targets: f.targets,
          createdAt: clock.now(),
          seq: seq++,
        });
      return [];
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

/** Drives a matcher: fill to ~2,000 waiting, then a measured mix of arrivals, completions, churn, ticks. */
function drive(make: (clock: { now(): number }, agents: Profile[]) => Matcher, events: number) {
  const rand = rng(7);
  const agents = makeAgents(rand);
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const m = make(clock, agents);
  const assigned: string[] = [];
  let waiting = 0;
  let n = 0;
  const note = (offers: Array<[string, string]>) => {
    for (const [taskId] of offers) assigned.push(taskId);
    waiting -= offers.length;
  };
  for (const a of agents) note(m.setState(a.userId, true));
  while (waiting < WAITING) {
    waiting++;
    const task = makeTask(rand, n++);
    note(m.fill ? m.fill(task) : m.enqueue(task));
    if (m.fill && waiting >= WAITING) note(m.tick());
  }
  const times: number[] = [];
  const unavailable: string[] = [];
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    clock.t += Math.round(-Math.log(1 - rand()) * 200); // Poisson process: exponential gaps, mean 200 ms
    const r = rand();
    let t0: number;
    let offers: Array<[string, string]>;
    if (r < 0.4) {
      waiting++;
      const task = makeTask(rand, n++);
      t0 = performance.now();
      offers = m.enqueue(task);
    } else if (r < 0.8 && assigned.length > 0) {
      const idx = Math.floor(rand() * assigned.length);
      const id = assigned[idx]!;
      assigned[idx] = assigned[assigned.length - 1]!;
      assigned.pop();
      t0 = performance.now();
      offers = m.complete(id);
    } else if (r < 0.95) {
      const back = unavailable.length > 20 || (unavailable.length > 0 && rand() < 0.5);
      const u = back ? unavailable.shift()! : agents[Math.floor(rand() * agents.length)]!.userId;
      if (!back) unavailable.push(u);
      t0 = performance.now();
      offers = m.setState(u, back);
    } else {
      t0 = performance.now();
      offers = m.tick();
    }
    times.push(performance.now() - t0);
    note(offers);
  }
  const wall = performance.now() - started;
  times.sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    mean: total / times.length,
    perSecond: (events / total) * 1000,
    wall,
    waiting,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  drive(incremental, 2000); // warm-up: JIT
  const fast = drive(incremental, 20_000);
  const slow = drive(naive, 300);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    bench: 'routing',
    agents: AGENTS,
    waiting_at_end: fast.waiting,
    p50_ms: round(fast.p50),
    p99_ms: round(fast.p99),
    decisions_per_s: Math.round(fast.perSecond),
    naive_p50_ms: round(slow.p50),
    naive_p99_ms: round(slow.p99),
    naive_decisions_per_s: Math.round(slow.perSecond),
    speedup_vs_naive: round(Math.min(slow.p99 / fast.p99, slow.mean / fast.mean)),
  };
}
