import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, principalOf } from '../http/index.ts';
import type { TicketActor } from './types.ts';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const body = <T extends z.ZodType>(schema: T) => ({
  body: { ...json(schema, 'Request'), required: true },
});

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
