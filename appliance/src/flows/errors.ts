import { DomainError } from '../contracts/index.ts';

export type FlowsErrorCode =
  | 'FLOWS_INVALID'
  | 'FLOWS_NOT_FOUND'
  | 'FLOWS_SPEECH_FAILED'
  | 'FLOWS_LOOP'
  | 'FLOWS_UNKNOWN_QUEUE'
  | 'FLOWS_UNKNOWN_CALENDAR';

const STATUS: Record<FlowsErrorCode, number> = {
  FLOWS_INVALID: 400,
  FLOWS_NOT_FOUND: 404,
  FLOWS_SPEECH_FAILED: 502,
  FLOWS_LOOP: 500,
  FLOWS_UNKNOWN_QUEUE: 400,
  FLOWS_UNKNOWN_CALENDAR: 400,
};

export class FlowsError extends DomainError<FlowsErrorCode> {
  override name = 'FlowsError';
  constructor(code: FlowsErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: STATUS[code], ...(details ? { details } : {}) });
  }
}
