import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorBody } from '../contracts/index.ts';
import { DomainError, InvalidStateError } from '../contracts/index.ts';
import { createLogger } from '../logging/index.ts';
import type { AppEnv } from './types.ts';

const log = createLogger('http');

function body(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

/** The one place errors become HTTP responses. Unknown errors never leak their message. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof DomainError) {
    return c.json(body(err.code, err.message, err.details), err.status as 400);
  }
  if (err instanceof InvalidStateError) {
    return c.json(body('HTTP_INVALID_STATE', err.message), 409);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 400 && /JSON/i.test(err.message)) {
      return c.json(body('HTTP_BAD_JSON', 'Cannot parse request body: malformed JSON'), 400);
    }
    if (status === 413) return c.json(body('HTTP_BODY_TOO_LARGE', 'Request body too large'), 413);
    return c.json(body(`HTTP_${status}`, err.message || 'Request failed'), status);
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    // Bad arguments are TypeError/RangeError by house style, but so are JS runtime
    // faults: answer 400 without the message, and log the stack so a bug is seen.
    log.warn(`bad request [path:${c.req.path}, requestId:${c.get('requestId')}]`, {
      err,
      stack: err.stack?.split('\n').slice(0, 4).join(' | '),
    });
    return c.json(body('HTTP_BAD_REQUEST', 'Bad request'), 400);
  }
  log.error(`unhandled error [path:${c.req.path}, requestId:${c.get('requestId')}]`, { err });
  return c.json(body('HTTP_INTERNAL', 'Internal error'), 500);
};
