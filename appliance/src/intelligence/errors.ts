import { DomainError } from '../contracts/index.ts';

export type IntelligenceErrorCode =
  | 'INTELLIGENCE_NOT_FOUND'
  | 'INTELLIGENCE_UNKNOWN_INTENT'
  | 'INTELLIGENCE_SCORECARD_INVALID'
  | 'INTELLIGENCE_SCORECARD_CONFLICT'
  | 'INTELLIGENCE_SCORECARD_DEFAULT'
  | 'INTELLIGENCE_NO_RECORDING';

export class IntelligenceError extends DomainError<IntelligenceErrorCode> {
  override name = 'IntelligenceError';
}
