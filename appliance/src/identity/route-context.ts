import type { Context } from 'hono';
import { type AppEnv, principalOf } from '../http/index.ts';
import type { ChangeContext } from './types.ts';

/** Actor and source address of a request, for the events a change publishes. */
export function ctxOf(c: Context<AppEnv>): ChangeContext {
  return { actor: principalOf(c).userId, ip: c.get('clientIp') };
}
