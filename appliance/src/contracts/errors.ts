import type { ErrorCode } from './error-codes.ts';

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

export interface BadInputOptions {
  cause?: unknown;
  /** Safe, serialisable details the console may show (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * A deliberate bad-argument error with a code: still a `TypeError` (house style),
 * so callers and tests that expect one keep working, but `app.onError` answers 400
 * with its code. A plain TypeError/RangeError is a bug and becomes a 500.
 */
export class BadInputError extends TypeError {
  override name = 'BadInputError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, options: BadInputOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** The `RangeError` twin of {@link BadInputError}: a coded out-of-range argument, 400 over HTTP. */
export class OutOfRangeError extends RangeError {
  override name = 'OutOfRangeError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, options: BadInputOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** Body of every error response: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
