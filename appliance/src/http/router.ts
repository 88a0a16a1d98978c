import { OpenAPIHono } from '@hono/zod-openapi';
import { HttpError } from './errors.ts';
import type { AppEnv } from './types.ts';

/**
 * Every sub-app is made here so that failed validation takes the one error
 * path: a 400 with code HTTP_VALIDATION naming each bad field.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issues = result.error.issues.map((i) => ({
        path: i.path.join('.'),
        code: i.code,
        message: i.message,
      }));
      throw new HttpError(
        'HTTP_VALIDATION',
        `Invalid request: ${issues.map((i) => i.path || '(body)').join(', ')}`,
        {
          status: 400,
          details: { issues },
        },
      );
    },
  });
}
