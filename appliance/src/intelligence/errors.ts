import { DomainError } from '../contracts/index.ts';

export type IntelligenceErrorCode = 'INTELLIGENCE_NOT_FOUND' | 'INTELLIGENCE_UNKNOWN_INTENT';

export class IntelligenceError extends DomainError<IntelligenceErrorCode> {
  override name = 'IntelligenceError';
}
