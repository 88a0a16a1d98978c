import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  type AppEnv,
  createRouter,
  cursorAfter,
  NextCursor,
  PageQuery,
  pageOf,
  principalOf,
  requirePermission,
} from '../http/index.ts';
import { maskBankCard, maskEmail, maskIdCard, maskPhone } from '../identity/index.ts';
import type { CustomerService } from './service.ts';
import type { Actor, Customer, CustomerHandle } from './types.ts';

const CustomerIn = z
  .object({
    id: z.uuid().optional(),
    name: z.string().min(1).max(200),
    phone: z.string().max(32).optional(),
    email: z.email().max(254).optional(),
    idCard: z.string().max(18).optional(),
    bankCard: z.string().max(23).optional(),
    address: z.string().max(500).optional(),
    vip: z.boolean().optional(),
  })
  .strict();

const CustomerOut = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string().optional(),
  phoneRaw: z.string().optional(),
  email: z.string().optional(),
  idCard: z.string().optional(),
  bankCard: z.string().optional(),
  address: z.string().optional(),
  vip: z.boolean().optional(),
  handles: z.array(z.object({ kind: z.string(), value: z.string(), verified: z.boolean() })).optional(),
  mergedInto: z.string().optional(),
  masked: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const HandleIn = z
  .object({
    kind: z.enum(['phone', 'email', 'wechat_openid', 'wechat_unionid', 'wecom_external', 'web_visitor']),
    value: z.string().min(1).max(256),
    verified: z.boolean().optional(),
  })
  .strict();

function maskHandle(h: CustomerHandle): CustomerHandle {
  if (h.kind === 'phone') return { ...h, value: maskPhone(h.value) };
  if (h.kind === 'email') return { ...h, value: maskEmail(h.value) };
  return { ...h, value: `${h.value.slice(0, 4)}…` };
}

export function actorOf(c: Context<AppEnv>): Actor {
  return { userId: principalOf(c).userId, source: c.get('clientIp') };
}

/** Sensitive identifiers are masked unless the role may read them in full. */
export function customerView(c: Context<AppEnv>, cust: Customer): z.infer<typeof CustomerOut> {
  if (principalOf(c).permissions.has('customers.read_sensitive')) return { ...cust, masked: false };
  const out: z.infer<typeof CustomerOut> = { ...cust, masked: true };
  if (cust.idCard) out.idCard = maskIdCard(cust.idCard);
  if (cust.bankCard) out.bankCard = maskBankCard(cust.bankCard);
  if (cust.phone) out.phone = maskPhone(cust.phone);
  if (cust.phoneRaw) out.phoneRaw = maskPhone(cust.phoneRaw);
  if (cust.handles) out.handles = cust.handles.map(maskHandle);
  return out;
}

export function customerRoutes(service: CustomerService) {
  const app = createRouter();
  app.use('/customers', requirePermission('customers.read'));
  app.use('/customers/*', requirePermission('customers.read'));

  const create = createRoute({
    method: 'post',
    path: '/customers',
    summary: 'Create a customer (idempotent when the client supplies the id)',
    middleware: [requirePermission('customers.write')] as const,
    request: { body: { ...json(CustomerIn, 'Customer profile'), required: true } },
    responses: { 201: json(CustomerOut, 'Created') },
  });
  app.openapi(create, async (c) => {
    const input = c.req.valid('json');
    const cust = await service.create(stripUndefined(input), actorOf(c));
    return c.json(customerView(c, cust), 201);
  });

  const lookup = createRoute({
    method: 'get',
    path: '/customers',
    summary:
      'Customers a page at a time (limit ≤ 200; cursor from nextCursor), or the one with a phone number (caller-ID lookup through the blind index)',
    request: { query: PageQuery.extend({ phone: z.string().min(3).max(32).optional() }) },
    responses: {
      200: json(
        z.object({ customers: z.array(CustomerOut), nextCursor: NextCursor }),
        'A page, or the match',
      ),
    },
  });
  app.openapi(lookup, async (c) => {
    const { phone, ...paging } = c.req.valid('query');
    const page = pageOf(paging, 'customers');
    if (phone !== undefined) {
      const found = await service.findByPhone(phone, actorOf(c));
      return c.json({ customers: found ? [customerView(c, found)] : [] }, 200);
    }
    const res = await service.page(actorOf(c), page);
    const nextCursor = cursorAfter('customers', res.last);
    return c.json(
      { customers: res.customers.map((x) => customerView(c, x)), ...(nextCursor ? { nextCursor } : {}) },
      200,
    );
  });

  const get = createRoute({
    method: 'get',
    path: '/customers/{id}',
    summary: 'Read a customer profile (masked by role; audited)',
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: { 200: json(CustomerOut, 'Profile') },
  });
  app.openapi(get, async (c) =>
    c.json(customerView(c, await service.get(c.req.valid('param').id, actorOf(c))), 200),
  );

  const shred = createRoute({
    method: 'delete',
    path: '/customers/{id}',
    summary: 'Erase a customer by crypto-shredding their data key (PIPL)',
    middleware: [requirePermission('customers.write', 'customers.read_sensitive')] as const,
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: { 204: { description: 'Erased' } },
  });
  app.openapi(shred, async (c) => {
    await service.shred(c.req.valid('param').id, actorOf(c));
    return c.body(null, 204);
  });

  const link = createRoute({
    method: 'post',
    path: '/customers/{id}/handles',
    summary: 'Link a handle (phone, email, WeChat/WeCom id) to a customer; verified emails link later mail',
    middleware: [requirePermission('customers.write')] as const,
    request: {
      params: z.object({ id: z.string().min(1).max(64) }),
      body: { ...json(HandleIn, 'Handle'), required: true },
    },
    responses: { 204: { description: 'Linked' } },
  });
  app.openapi(link, async (c) => {
    const h = c.req.valid('json');
    await service.addHandle(
      c.req.valid('param').id,
      { kind: h.kind, value: h.value, ...(h.verified === undefined ? {} : { verified: h.verified }) },
      actorOf(c),
    );
    return c.body(null, 204);
  });

  const merge = createRoute({
    method: 'post',
    path: '/customers/{id}/merge',
    summary: 'Merge another customer (sourceId) into this one; reversible',
    middleware: [requirePermission('customers.write')] as const,
    request: {
      params: z.object({ id: z.string().min(1).max(64) }),
      body: { ...json(z.object({ sourceId: z.string().min(1).max(64) }).strict(), 'Source'), required: true },
    },
    responses: { 200: json(z.object({ mergeId: z.string() }), 'Merged') },
  });
  app.openapi(merge, async (c) =>
    c.json(await service.merge(c.req.valid('json').sourceId, c.req.valid('param').id, actorOf(c)), 200),
  );

  const unmerge = createRoute({
    method: 'post',
    path: '/customers/merges/{mergeId}/undo',
    summary: 'Undo a merge: the moved handles return to the source customer',
    middleware: [requirePermission('customers.write')] as const,
    request: { params: z.object({ mergeId: z.string().min(1).max(64) }) },
    responses: { 204: { description: 'Unmerged' } },
  });
  app.openapi(unmerge, async (c) => {
    await service.unmerge(c.req.valid('param').mergeId, actorOf(c));
    return c.body(null, 204);
  });
  return app;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
