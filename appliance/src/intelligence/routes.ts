import { createRoute, z } from '@hono/zod-openapi';
import {
  createRouter,
  cursorAfter,
  NextCursor,
  PageQuery,
  pageOf,
  principalOf,
  requirePermission,
} from '../http/index.ts';
import type { ModuleContext } from '../modules.ts';
import { assistFor } from './assist.ts';
import { QaResultOut } from './schemas-qa.ts';
import type { IntelligenceService } from './service.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
// Response bodies are documented loosely: the types live in types.ts and the console reads them.
const Any = z.any();
const Id = z.object({ id: z.string().min(1).max(64) });

const SettingsIn = z
  .object({
    botEnabled: z.boolean().optional(),
    confidenceThreshold: z.number().min(0).max(1).optional(),
    faqScoreThreshold: z.number().min(0).max(100).optional(),
    maxBotTurns: z.number().int().min(1).max(50).optional(),
    botIdleMinutes: z.number().int().min(1).max(1440).optional(),
  })
  .strict();
const LabelIn = z.object({ text: z.string().min(1).max(2000), intent: z.string().min(1).max(64) }).strict();
const ClassifyIn = z.object({ text: z.string().min(1).max(2000) }).strict();
const OverrideIn = z
  .object({ score: z.number().int().min(0).max(100), comment: z.string().min(1).max(2000) })
  .strict();
const Period = z.object({
  agentId: z.string().max(64).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});

/** Settings, model labels, agent assist and QA (质检) under /api. */
export function intelligenceRoutes(intel: IntelligenceService, services: ModuleContext['services']) {
  const app = createRouter();
  const strip = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
      [K in keyof T]: Exclude<T[K], undefined>;
    };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/intelligence/settings',
      summary: 'Bot and model settings',
      middleware: [requirePermission('contacts.monitor')] as const,
      responses: { 200: json(Any, 'Settings') },
    }),
    (c) => c.json({ ...intel.settings(), intents: intel.classifier.intents }, 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/intelligence/settings',
      summary: 'Change bot settings (enable the web chat bot)',
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { ...json(SettingsIn, 'Partial settings'), required: true } },
      responses: { 200: json(Any, 'Settings') },
    }),
    async (c) => c.json(await intel.saveSettings(strip(c.req.valid('json')), principalOf(c).userId), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/intelligence/classify',
      summary: 'Intent and its runners-up for a text',
      middleware: [requirePermission('contacts.handle')] as const,
      request: { body: { ...json(ClassifyIn, 'Text'), required: true } },
      responses: { 200: json(Any, 'Ranked intents') },
    }),
    (c) => c.json(intel.classify(c.req.valid('json').text), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/intelligence/labels',
      summary: 'Confirm the intent of an utterance; the model learns it at once',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { body: { ...json(LabelIn, 'Label'), required: true } },
      responses: { 201: json(Any, 'Learned') },
    }),
    async (c) => {
      const { text, intent } = c.req.valid('json');
      await intel.label(text, intent, { source: 'api', actor: principalOf(c).userId });
      return c.json({ learned: true, now: intel.classify(text).top ?? null }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/assist/contacts/{id}',
      summary: 'Agent assist: history, intent, sentiment trend, suggestions',
      middleware: [requirePermission('contacts.handle')] as const,
      request: { params: Id },
      responses: { 200: json(Any, 'Assist view') },
    }),
    async (c) => {
      const p = principalOf(c);
      const view = await assistFor(c.req.valid('param').id, {
        services,
        intel,
        viewer: { userId: p.userId, permissions: p.permissions },
      });
      return c.json(view, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/results',
      summary:
        'QA results, newest closed first, a page at a time (one agent, closed in [from, to); limit ≤ 200; cursor from nextCursor)',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { query: Period.extend(PageQuery.shape) },
      responses: {
        200: json(z.object({ results: z.array(QaResultOut), nextCursor: NextCursor }), 'A page of results'),
      },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      const scope = `qa/results?agentId=${filter.agentId ?? ''}&from=${filter.from ?? ''}&to=${filter.to ?? ''}`;
      const res = await intel.qaPage(strip(filter), pageOf({ limit, cursor }, scope));
      const nextCursor = cursorAfter(scope, res.last);
      return c.json({ results: res.results, ...(nextCursor ? { nextCursor } : {}) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/results/{id}',
      summary: "One contact's QA findings",
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: Id },
      responses: { 200: json(QaResultOut, 'Result') },
    }),
    async (c) => c.json(await intel.qa(c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/qa/results/{id}/rescore',
      summary: 'Score (again) a contact now',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: Id },
      responses: { 200: json(Any, 'Result') },
    }),
    async (c) => c.json(await intel.scoreById(c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/qa/results/{id}/override',
      summary: "A reviewer's score replaces the rules' score",
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: Id, body: { ...json(OverrideIn, 'Override'), required: true } },
      responses: { 200: json(Any, 'Result') },
    }),
    async (c) =>
      c.json(await intel.override(c.req.valid('param').id, c.req.valid('json'), principalOf(c).userId), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/report',
      summary: 'QA scores aggregated by agent over a period',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { query: Period },
      responses: { 200: json(Any, 'Report') },
    }),
    async (c) => {
      const { from, to } = c.req.valid('query');
      return c.json({ rows: await intel.report(strip({ from, to })) }, 200);
    },
  );
  return app;
}
