import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter, principalOf, requirePermission } from '../http/index.ts';
import { assertUnused, type FlowLister, flowsUsing } from './references.ts';
import { strip } from './routes-agent.ts';
import {
  CalendarIn,
  Id,
  json,
  Loose,
  MatchTestIn,
  ProfileIn,
  QueueIn,
  SkillIn,
  WorkflowIn,
} from './schemas.ts';
import type { RoutingService } from './service.ts';

const IdParam = z.object({ id: Id });
const actor = (c: Context<AppEnv>) => principalOf(c).userId;

/**
 * Supervisor/admin side (routing.manage): configuration, agent profiles, tasks, the match test.
 * Saves refuse unknown skills, queues and calendars; deletes refuse items still in use (IVR flows
 * too, through `flows`, looked up per request because the flows context starts after routing).
 */
export function routingAdminRoutes(
  service: RoutingService,
  options: { flows?: () => FlowLister | undefined } = {},
) {
  const app = createRouter();
  for (const p of [
    '/routing/config',
    '/routing/queues/*',
    '/routing/skills/*',
    '/routing/workflows/*',
    '/routing/calendars/*',
    '/routing/agents',
    '/routing/agents/*',
    '/routing/reason-codes',
    '/routing/closed-reply',
    '/routing/match-test',
    '/routing/expression-check',
  ]) {
    app.use(p, requirePermission('routing.manage'));
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/config',
      summary: 'Queues, skills, workflows, calendars and reason codes',
      responses: { 200: json(Loose, 'Configuration') },
    }),
    (c) => c.json(service.config(), 200),
  );

  const crud = <S extends z.ZodType>(
    kind: 'queue' | 'skill' | 'workflow' | 'calendar',
    plural: string,
    schema: S,
    put: (value: { id: string }, actor: string) => Promise<void>,
  ) => {
    app.openapi(
      createRoute({
        method: 'put',
        path: `/routing/${plural}/{id}`,
        summary: `Create or replace a ${kind} (expressions are checked; errors name the position and field; unknown skills, queues and calendars are refused)`,
        request: { params: IdParam, body: { ...json(schema, kind), required: true } },
        responses: { 204: { description: 'Saved' } },
      }),
      async (c) => {
        // The generic path defeats hono's inference; the schema above has validated both parts.
        const req = (c as unknown as { req: { valid(target: 'json' | 'param'): Record<string, unknown> } })
          .req;
        const value = { ...strip(req.valid('json')), id: String(req.valid('param')['id']) };
        if (kind === 'queue' || kind === 'workflow')
          service.assertReferences({ kind, value } as Parameters<RoutingService['assertReferences']>[0]);
        await put(value, actor(c));
        return c.body(null, 204);
      },
    );
    app.openapi(
      createRoute({
        method: 'delete',
        path: `/routing/${plural}/{id}`,
        summary: `Delete a ${kind} (409 ROUTING_IN_USE with details.usedBy while anything uses it)`,
        request: { params: IdParam },
        responses: { 204: { description: 'Deleted' } },
      }),
      async (c) => {
        const id = c.req.valid('param').id;
        // IVR flows name queues (enqueue steps) and calendars (hours steps) too.
        const flows =
          kind === 'queue' || kind === 'calendar' ? await flowsUsing(options.flows?.(), kind, id) : [];
        assertUnused(kind, id, [...service.usedBy(kind, id), ...flows]);
        await service.removeConfig(kind, id, actor(c));
        return c.body(null, 204);
      },
    );
  };
  type Arg<K extends keyof RoutingService> = RoutingService[K] extends (v: infer V, a: string) => unknown
    ? V
    : never;
  crud('queue', 'queues', QueueIn, (v, a) => service.putQueue(v as Arg<'putQueue'>, a));
  crud('skill', 'skills', SkillIn, (v, a) => service.putSkill(v as Arg<'putSkill'>, a));
  crud('workflow', 'workflows', WorkflowIn, (v, a) => service.putWorkflow(v as Arg<'putWorkflow'>, a));
  crud('calendar', 'calendars', CalendarIn, (v, a) => service.putCalendar(v as Arg<'putCalendar'>, a));

  const Reply = z
    .object({ zh: z.string().trim().min(1).max(2000), en: z.string().trim().min(1).max(2000) })
    .strict();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/closed-reply',
      summary: 'The automatic reply on email, WeChat and WeCom while the branch is closed (zh-CN, en)',
      responses: { 200: json(Reply, 'Reply') },
    }),
    (c) => c.json(service.closedReply(), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/routing/closed-reply',
      summary: 'Replace the out-of-hours automatic reply (both languages)',
      request: { body: { ...json(Reply, 'Reply'), required: true } },
      responses: { 204: { description: 'Saved' } },
    }),
    async (c) => {
      await service.putClosedReply(c.req.valid('json'), actor(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/routing/reason-codes',
      summary: 'Not-ready reason codes agents may choose',
      request: {
        body: {
          ...json(
            z
              .object({
                codes: z
                  .array(z.string().regex(/^[a-z_]{1,32}$/))
                  .min(1)
                  .max(30),
              })
              .strict(),
            'Codes',
          ),
          required: true,
        },
      },
      responses: { 204: { description: 'Saved' } },
    }),
    async (c) => {
      await service.putReasonCodes(c.req.valid('json').codes, actor(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/agents',
      summary: 'Agent profiles with live state',
      responses: { 200: json(Loose, 'Agents') },
    }),
    (c) => c.json({ agents: service.profiles() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/routing/agents/{userId}',
      summary: 'Create or replace an agent profile (skills 1–5, languages, per-channel capacity)',
      request: {
        params: z.object({ userId: z.string().min(1).max(64) }),
        body: { ...json(ProfileIn, 'Profile'), required: true },
      },
      responses: { 204: { description: 'Saved' } },
    }),
    async (c) => {
      const body = strip(c.req.valid('json'));
      const profile = { ...body, userId: c.req.valid('param').userId } as Parameters<
        RoutingService['putProfile']
      >[0];
      service.assertReferences({ kind: 'profile', value: profile });
      await service.putProfile(profile, actor(c));
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/routing/agents/{userId}',
      summary: 'Delete an agent profile',
      request: { params: z.object({ userId: z.string().min(1).max(64) }) },
      responses: { 204: { description: 'Deleted' } },
    }),
    async (c) => {
      await service.removeProfile(c.req.valid('param').userId, actor(c));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/match-test',
      summary: 'Which agents would a contact with these attributes match, and why',
      request: { body: { ...json(MatchTestIn, 'Probe'), required: true } },
      responses: { 200: json(Loose, 'Result') },
    }),
    (c) =>
      c.json(
        service.matchTest(strip(c.req.valid('json')) as Parameters<RoutingService['matchTest']>[0]),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/expression-check',
      summary: 'Check an agent condition as a queue save would, and list the agent profiles it matches',
      request: {
        body: {
          ...json(z.object({ expression: z.string().min(1).max(2000) }).strict(), 'Condition'),
          required: true,
        },
      },
      responses: { 200: json(Loose, 'Matching agents') },
    }),
    (c) => c.json({ matches: service.expressionSample(c.req.valid('json').expression) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/tasks',
      summary: 'Every task being routed (waiting, offered, assigned)',
      middleware: [requirePermission('routing.manage')] as const,
      responses: { 200: json(Loose, 'Tasks') },
    }),
    (c) => c.json({ tasks: service.tasks() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/routing/tasks/{id}',
      summary: 'Drop a task',
      middleware: [requirePermission('routing.manage')] as const,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 204: { description: 'Dropped' } },
    }),
    (c) => {
      service.remove(c.req.valid('param').id, 'removed_by_supervisor');
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/calendars/{id}/open',
      summary: 'Is the calendar open now (or at ?at=ISO)',
      middleware: [requirePermission('contacts.handle')] as const,
      request: { params: IdParam, query: z.object({ at: z.iso.datetime().optional() }) },
      responses: { 200: json(Loose, 'Open or not') },
    }),
    (c) => {
      const at = c.req.valid('query').at;
      return c.json({ open: service.isOpen(c.req.valid('param').id, at ? new Date(at) : undefined) }, 200);
    },
  );
  return app;
}
