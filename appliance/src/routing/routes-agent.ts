import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import { json, Loose, StateIn, TaskIn } from './schemas.ts';
import type { RoutingService } from './service.ts';

const OfferParam = z.object({ id: z.string().min(1).max(64) });
const TaskParam = z.object({ id: z.string().min(1).max(64) });

/** The agent's side (contacts.handle): own state, offers, a task's position and callback. */
export function routingAgentRoutes(service: RoutingService) {
  const app = createRouter();
  app.use('/routing/me', requirePermission('contacts.handle'));
  app.use('/routing/me/*', requirePermission('contacts.handle'));
  app.use('/routing/offers/*', requirePermission('contacts.handle'));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/queue-names',
      summary: 'Every queue by id and name, for the supervisor pages that show queues (the wallboard)',
      middleware: [requirePermission('contacts.monitor')] as const,
      responses: {
        200: json(z.object({ queues: z.array(z.object({ id: z.string(), name: z.string() })) }), 'Queues'),
      },
    }),
    (c) => c.json({ queues: service.config().queues.map(({ id, name }) => ({ id, name })) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/me/state',
      summary: 'My agent state, reason codes and open offers',
      responses: { 200: json(Loose, 'State') },
    }),
    (c) => c.json(service.myState(principalOf(c).userId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/routing/me/state',
      summary: 'Set my state: available, not_ready (with a reason code) or offline',
      request: { body: { ...json(StateIn, 'New state'), required: true } },
      responses: { 200: json(Loose, 'State') },
    }),
    async (c) => {
      const { state, reason } = c.req.valid('json');
      const userId = principalOf(c).userId;
      if (state !== 'offline') await service.ensureProfile(userId);
      service.setMyState(userId, state, reason);
      return c.json(service.myState(userId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/offers/{id}/accept',
      summary: 'Accept an offer',
      request: { params: OfferParam },
      responses: { 200: json(Loose, 'The assigned task') },
    }),
    (c) => c.json({ task: service.accept(c.req.valid('param').id, principalOf(c).userId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/offers/{id}/reject',
      summary: 'Reject an offer (the task goes to another agent)',
      request: { params: OfferParam },
      responses: { 204: { description: 'Rejected' } },
    }),
    (c) => {
      service.reject(c.req.valid('param').id, principalOf(c).userId);
      return c.body(null, 204);
    },
  );

  app.use('/routing/tasks/*', requirePermission('contacts.handle'));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/routing/tasks/{id}/position',
      summary: 'Position and estimated wait time',
      request: { params: TaskParam },
      responses: { 200: json(Loose, 'Estimate') },
    }),
    (c) => c.json(service.position(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/tasks/{id}/callback',
      summary: 'Customer asks for a callback: the task keeps its place',
      request: {
        params: TaskParam,
        body: {
          ...json(z.object({ phone: z.string().regex(/^\+?[0-9]{5,20}$/) }).strict(), 'Phone'),
          required: true,
        },
      },
      responses: { 200: json(Loose, 'Task') },
    }),
    (c) => c.json({ task: service.requestCallback(c.req.valid('param').id, c.req.valid('json').phone) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/tasks/{id}/complete',
      summary: 'Finish an assigned task (frees capacity)',
      request: { params: TaskParam },
      responses: { 204: { description: 'Completed' } },
    }),
    (c) => {
      const p = principalOf(c);
      service.complete(c.req.valid('param').id, {
        userId: p.userId,
        override: p.permissions.has('routing.manage'),
      });
      return c.body(null, 204);
    },
  );

  // Creating tasks by hand is for tests and integrations without conversations: supervisors only.
  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/tasks',
      summary: 'Enqueue a task directly (without a contact)',
      middleware: [requirePermission('routing.manage')] as const,
      request: { body: { ...json(TaskIn, 'Task'), required: true } },
      responses: { 201: json(Loose, 'Queued'), 200: json(Loose, 'Rejected (closed, no route)') },
    }),
    (c) => {
      const body = c.req.valid('json');
      const out = service.enqueue(strip(body) as Parameters<RoutingService['enqueue']>[0]);
      return out.status === 'queued' ? c.json(out, 201) : c.json(out, 200);
    },
  );
  return app;
}

export function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
