import { DomainError } from '../contracts/index.ts';

export type AnalyticsErrorCode = 'ANALYTICS_BAD_RANGE' | 'ANALYTICS_NOT_FOUND';

/** Domain conditions of analytics (bad report ranges, unknown customers). */
export class AnalyticsError extends DomainError<AnalyticsErrorCode> {
  override name = 'AnalyticsError';
}
