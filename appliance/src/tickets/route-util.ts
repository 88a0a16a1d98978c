import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { type AppEnv, principalOf } from '../http/index.ts';
import { Anything } from './schemas.ts';
import type { TicketActor } from './types.ts';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const body = <T extends z.ZodType>(schema: T) => ({
  body: { ...json(schema, 'Request'), required: true },
});

export const IdParam = z.object({ id: z.string().min(1).max(64) });
export const ok = { 200: json(Anything, 'OK') };
export const created = { 201: json(Anything, 'Created') };

/** A GET answered with 200 (the ticket APIs all return loosely typed JSON). */
export function readRoute<P extends string>(path: P, summary: string) {
  return createRoute({ method: 'get', path, summary, responses: ok });
}

/** A GET on one item: `{id}` in the path. */
export function readItemRoute<P extends string>(path: P, summary: string) {
  return createRoute({ method: 'get', path, summary, request: { params: IdParam }, responses: ok });
}

interface ItemWrite<S extends z.ZodType, R extends RouteConfig['responses']> {
  summary: string;
  body: S;
  guard: MiddlewareHandler[];
  responses: R;
  method?: 'post' | 'put' | 'patch';
}

/** A change to one item: `{id}` in the path, a strict JSON body, a permission guard. */
export function itemWriteRoute<P extends string, S extends z.ZodType, R extends RouteConfig['responses']>(
  path: P,
  o: ItemWrite<S, R>,
) {
  return createRoute({
    method: o.method ?? 'post',
    path,
    summary: o.summary,
    middleware: o.guard,
    request: { params: IdParam, ...body(o.body) },
    responses: o.responses,
  });
}

export function actorOf(c: Context<AppEnv>): TicketActor {
  const p = principalOf(c);
  return { userId: p.userId, roles: p.roles, permissions: p.permissions, source: c.get('clientIp') };
}

/** Drops undefined values so zod output fits exactOptionalPropertyTypes inputs. */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** Zod output spells absent optionals as `undefined`; a JSON round trip drops them (exactOptionalPropertyTypes). */
export function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
