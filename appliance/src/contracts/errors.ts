/** Wrong state for the call (closed store, already-running service). Maps to HTTP 409. */
export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

export interface DomainErrorOptions {
  /** HTTP status the error maps to in `app.onError`; default 400. */
  status?: number;
  cause?: unknown;
  /** Safe, serialisable details the console may show (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * A condition a caller is expected to handle, with a stable UPPER_SNAKE code
 * prefixed by its context (`IDENTITY_LOCKED`). Each context subclasses it with
 * its own code union; HTTP maps it in exactly one place.
 */
export class DomainError<C extends string = string> extends Error {
  override name = 'DomainError';
  readonly code: C;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: C, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }
}

/** Body of every error response: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
