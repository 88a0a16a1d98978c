import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import { intervalsCsv } from './csv.ts';
import { requiredAgents } from './erlang.ts';
import { AnalyticsError } from './errors.ts';
import type { AnalyticsService } from './service.ts';
import type { TopicMiner } from './topics.ts';

const AnyJson = z.record(z.string(), z.unknown());
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const IntervalsQuery = z.object({
  from: z.string().min(1).max(40),
  to: z.string().min(1).max(40),
  queue: z.string().min(1).max(64).optional(),
  channel: z.string().min(1).max(32).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

const StaffingIn = z
  .object({
    volume: z.number().min(0).max(100_000),
    intervalMinutes: z.number().int().min(1).max(1440).default(15),
    ahtSeconds: z.number().positive().max(86_400),
    targetLevel: z.number().gt(0).lt(1).default(0.8),
    targetSeconds: z.number().min(0).max(3600).default(20),
    shrinkage: z.number().min(0).lt(1).default(0),
  })
  .strict();

const ForecastQuery = z.object({
  days: z.coerce.number().int().min(1).max(56).default(14),
  horizon: z.coerce.number().int().min(1).max(672).default(96),
  queue: z.string().min(1).max(64).optional(),
  channel: z.string().min(1).max(32).optional(),
  targetLevel: z.coerce.number().gt(0).lt(1).optional(),
  targetSeconds: z.coerce.number().min(0).max(3600).optional(),
  shrinkage: z.coerce.number().min(0).lt(1).optional(),
  ahtSeconds: z.coerce.number().positive().max(86_400).optional(),
});

const TopicsQuery = z.object({
  days: z.coerce.number().int().min(1).max(31).default(7),
  baseline: z.coerce.number().int().min(1).max(90).default(28),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const BehaviourQuery = z.object({ days: z.coerce.number().int().min(1).max(92).default(30) });

/** Supervisor reports: wallboard, intervals (JSON/CSV), forecast + staffing, churn risk, topics, behaviour. */
export function analyticsRoutes(
  service: AnalyticsService,
  opts: {
    recordRead: (r: { actor: string; target: string; action: string }) => Promise<void>;
    topics?: TopicMiner;
  },
) {
  const app = createRouter();
  app.use('/analytics/*', requirePermission('contacts.monitor'));

  const miner = () => {
    if (!opts.topics)
      throw new AnalyticsError('ANALYTICS_NOT_FOUND', 'Topic mining is not enabled', { status: 404 });
    return opts.topics;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/wallboard',
      summary: 'Today’s KPIs and live state',
      responses: { 200: json(AnyJson, 'Snapshot') },
    }),
    (c) => c.json(service.wallboard() as unknown as Record<string, unknown>, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/intervals',
      summary: '15-minute interval report (format=csv for a spreadsheet)',
      request: { query: IntervalsQuery },
      responses: {
        200: {
          description: 'Rows with KPIs',
          content: { 'application/json': { schema: AnyJson }, 'text/csv': { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const { format, ...q } = c.req.valid('query');
      const rows = await service.intervals({
        from: q.from,
        to: q.to,
        ...(q.queue ? { queue: q.queue } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
      });
      if (format === 'csv')
        return c.body(intervalsCsv(rows), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="intervals.csv"',
        });
      return c.json({ intervals: rows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/analytics/staffing',
      summary: 'Erlang C: agents needed for a volume, AHT and service-level target',
      request: { body: { ...json(StaffingIn, 'Interval workload'), required: true } },
      responses: { 200: json(AnyJson, 'Staffing') },
    }),
    (c) => {
      const b = c.req.valid('json');
      const r = requiredAgents({ ...b, intervalSeconds: b.intervalMinutes * 60 });
      return c.json(r as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/forecast',
      summary: 'Volume forecast per 15-minute interval with required agents',
      request: { query: ForecastQuery },
      responses: { 200: json(AnyJson, 'Forecast') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const opts = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Parameters<
        AnalyticsService['forecast']
      >[0];
      return c.json(await service.forecast(opts), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/topics',
      summary: 'Emerging, rising and falling customer terms (G², k-anonymous) and intent / wrap-up trends',
      request: { query: TopicsQuery },
      responses: { 200: json(AnyJson, 'Topic report') },
    }),
    async (c) => {
      const report = await miner().topics(c.req.valid('query'));
      return c.json(report as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/analytics/topics/backfill',
      summary:
        'Counts conversation messages and ticket subjects from before topic mining began (resumable, idempotent, audited once per run)',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 202: json(AnyJson, 'The run started, continued or already running') },
    }),
    async (c) => {
      const source = c.get('clientIp');
      const state = await miner().backfill({
        userId: principalOf(c).userId,
        ...(source === undefined ? {} : { source }),
      });
      return c.json(state as unknown as Record<string, unknown>, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/topics/backfill',
      summary: 'Progress of the latest topic backfill run',
      responses: { 200: json(AnyJson, 'Run state, or {status:"none"}') },
    }),
    async (c) => {
      const state = await miner().backfillState();
      return c.json((state ?? { status: 'none' }) as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/behaviour',
      summary: 'Channel mix, repeat-contact rate, channel switching and contacts per customer',
      request: { query: BehaviourQuery },
      responses: { 200: json(AnyJson, 'Behaviour report') },
    }),
    async (c) =>
      c.json((await service.behaviour(c.req.valid('query'))) as unknown as Record<string, unknown>, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/churn',
      summary: 'Customers by churn risk, with reasons',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
      responses: { 200: json(AnyJson, 'Risks') },
    }),
    async (c) => c.json({ customers: await service.churnList({ limit: c.req.valid('query').limit }) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/analytics/churn/{customerId}',
      summary: 'One customer’s churn risk (an audited read)',
      request: { params: z.object({ customerId: z.string().min(1).max(64) }) },
      responses: { 200: json(AnyJson, 'Risk') },
    }),
    async (c) => {
      const { customerId } = c.req.valid('param');
      const risk = await service.churnOf(customerId);
      await opts.recordRead({
        actor: principalOf(c).userId,
        target: `customer:${customerId}`,
        action: 'analytics.churn_read',
      });
      return c.json(risk as unknown as Record<string, unknown>, 200);
    },
  );
  return app;
}
