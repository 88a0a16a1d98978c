/**
 * Types shared with web/ and sync/: errors, roles, permissions; and the
 * branch's wall clock in an IANA zone (business hours, SLAs, reporting days).
 * @example
 * import { DomainError } from '../contracts/index.ts';
 * throw new DomainError('ROUTING_NO_ELIGIBLE_AGENT', 'No agent matches', { status: 409 });
 */

export type { DirectoryStatus, GroupMapping } from './directory.ts';
export { ERROR_CODES, type ErrorCode } from './error-codes.ts';
export type { BadInputOptions, DomainErrorOptions, ErrorBody } from './errors.ts';
export { BadInputError, DomainError, InvalidStateError, OutOfRangeError } from './errors.ts';
export type { BuiltinRole, Permission } from './permissions.ts';
export { BUILTIN_ROLES, PERMISSIONS } from './permissions.ts';
export type { HoldKind, LegalHold, RetentionPolicy } from './recordings.ts';
export {
  type BranchSettings,
  CONSOLE_LANGUAGES,
  type ConsoleLanguage,
  SETUP_STEPS,
  type SettingSource,
  type SetupStep,
  type SetupView,
  type StepState,
  type WidgetLook,
} from './setup.ts';
export type {
  WidgetFile,
  WidgetFileLimits,
  WidgetMessage,
  WidgetQueueInfo,
  WidgetServerFrame,
} from './webchat.ts';
export { assertTimeZone, type WallClock, wallClock } from './zoned-time.ts';
