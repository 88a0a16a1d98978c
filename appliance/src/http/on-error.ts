import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorBody, ErrorCode } from '../contracts/index.ts';
import { BadInputError, DomainError, InvalidStateError, OutOfRangeError } from '../contracts/index.ts';
import { createLogger } from '../logging/index.ts';
import type { AppEnv } from './types.ts';

const log = createLogger('http');

function body(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

/** Hono's own HTTPExceptions (body limit, JSON parse, …) by status; every code is catalogued. */
function httpExceptionCode(status: number): ErrorCode {
  if (status === 401) return 'HTTP_UNAUTHENTICATED';
  if (status === 403) return 'HTTP_FORBIDDEN';
  if (status === 404) return 'HTTP_NOT_FOUND';
  if (status === 413) return 'HTTP_BODY_TOO_LARGE';
  if (status === 415) return 'HTTP_UNSUPPORTED_MEDIA_TYPE';
  return status >= 500 ? 'HTTP_INTERNAL' : 'HTTP_BAD_REQUEST';
}

/**
 * The one place errors become HTTP responses. A coded error (DomainError,
 * BadInputError, OutOfRangeError) is the caller's fault and keeps its code; anything
 * else, a plain TypeError/RangeError included, is a bug: 500 HTTP_INTERNAL with an
 * incident id (the request id) that the log line carries too, and never its message.
 */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof DomainError) {
    return c.json(body(err.code as ErrorCode, err.message, err.details), err.status as 400);
  }
  if (err instanceof BadInputError || err instanceof OutOfRangeError) {
    return c.json(body(err.code, err.message, err.details), 400);
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
    return c.json(body(httpExceptionCode(status), err.message || 'Request failed'), status);
  }
  const incidentId = c.get('requestId');
  log.error(`unhandled error [path:${c.req.path}, incidentId:${incidentId}]`, {
    err,
    incidentId,
    stack: err instanceof Error ? err.stack : undefined,
  });
  return c.json(body('HTTP_INTERNAL', 'Internal error', { incidentId }), 500);
};
