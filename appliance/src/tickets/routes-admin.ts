import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, requirePermission } from '../http/index.ts';
import { deleteDepartment, departmentUsage } from './department-usage.ts';
import type { TicketService } from './facade.ts';
import {
  actorOf,
  body,
  IdParam,
  itemWriteRoute,
  json,
  ok,
  plain,
  readItemRoute,
  readRoute,
} from './route-util.ts';
import { Anything, DepartmentIn, SlaPolicyIn, WorkflowIn } from './schemas.ts';
import type { SlaPolicy, WorkflowInput } from './types.ts';
import { validateWorkflow } from './workflow.ts';

const admin = [requirePermission('system.manage')];

/** Workflow, department and SLA definitions: read with tickets.read, change with system.manage. */
export function ticketAdminRoutes(service: TicketService) {
  const app = createRouter();
  for (const p of ['/ticket-workflows', '/departments', '/sla-policies']) {
    app.use(p, requirePermission('tickets.read'));
    app.use(`${p}/*`, requirePermission('tickets.read'));
  }

  const wfList = readRoute('/ticket-workflows', 'Latest version of every workflow');
  app.openapi(wfList, async (c) => c.json({ workflows: await service.workflows.list() }, 200));

  const wfPublish = createRoute({
    method: 'post',
    path: '/ticket-workflows',
    summary: 'Publish a new workflow version (validated; errors name the state)',
    middleware: admin,
    request: body(WorkflowIn),
    responses: { 201: json(Anything, 'Published') },
  });
  app.openapi(wfPublish, async (c) =>
    c.json(await service.workflows.publish(plain<WorkflowInput>(c.req.valid('json')), actorOf(c)), 201),
  );

  const wfValidate = createRoute({
    method: 'post',
    path: '/ticket-workflows/validate',
    summary: 'Validate without publishing (422 lists every problem in details.problems)',
    middleware: admin,
    request: body(WorkflowIn),
    responses: ok,
  });
  app.openapi(wfValidate, async (c) => {
    validateWorkflow(plain<WorkflowInput>(c.req.valid('json')), { all: true });
    return c.json({ ok: true }, 200);
  });

  const wfVersion = createRoute({
    method: 'get',
    path: '/ticket-workflows/{id}/versions/{version}',
    summary: 'One workflow version',
    request: { params: IdParam.extend({ version: z.coerce.number().int().min(1) }) },
    responses: ok,
  });
  app.openapi(wfVersion, async (c) => {
    const { id, version } = c.req.valid('param');
    return c.json(await service.workflows.get(id, version), 200);
  });

  const deptList = readRoute('/departments', 'Departments and their members');
  app.openapi(deptList, async (c) => c.json({ departments: await service.departments.list() }, 200));

  const deptPut = itemWriteRoute('/departments/{id}', {
    method: 'put',
    summary: 'Create or replace a department',
    body: DepartmentIn,
    guard: admin,
    responses: ok,
  });
  app.openapi(deptPut, async (c) => {
    const { name, members } = c.req.valid('json');
    const m = members.map((x) => (x.level ? { userId: x.userId, level: x.level } : { userId: x.userId }));
    return c.json(
      await service.departments.save({ id: c.req.valid('param').id, name, members: m }, actorOf(c)),
      200,
    );
  });

  const deptGet = readItemRoute('/departments/{id}', 'One department and what uses it');
  app.openapi(deptGet, async (c) => {
    const { id } = c.req.valid('param');
    const department = await service.departments.get(id);
    return c.json({ department, usedBy: await departmentUsage(service, id) }, 200);
  });

  const deptDelete = createRoute({
    method: 'delete',
    path: '/departments/{id}',
    summary:
      'Delete a department (409 TICKETS_IN_USE naming the tickets, workflows and SLA policies that use it)',
    middleware: admin,
    request: { params: IdParam },
    responses: ok,
  });
  app.openapi(deptDelete, async (c) => {
    await deleteDepartment(service, c.req.valid('param').id, actorOf(c));
    return c.json({ ok: true }, 200);
  });

  const slaList = readRoute('/sla-policies', 'SLA policies');
  app.openapi(slaList, async (c) => c.json({ policies: await service.policies.list() }, 200));

  const slaPut = itemWriteRoute('/sla-policies/{id}', {
    method: 'put',
    summary: 'Create or replace an SLA policy',
    body: SlaPolicyIn,
    guard: admin,
    responses: ok,
  });
  app.openapi(slaPut, async (c) => {
    const policy = plain<SlaPolicy>({ ...c.req.valid('json'), id: c.req.valid('param').id });
    return c.json(await service.policies.save(policy, actorOf(c)), 200);
  });

  const slaCheck = createRoute({
    method: 'post',
    path: '/sla-policies/check',
    summary: 'Run the SLA checker now',
    middleware: admin,
    responses: ok,
  });
  app.openapi(slaCheck, async (c) => c.json({ breaches: await service.sla.check() }, 200));
  return app;
}
