import { DomainError } from '../contracts/index.ts';

export type CustomersErrorCode =
  | 'CUSTOMERS_NOT_FOUND'
  | 'CUSTOMERS_DUPLICATE_HANDLE'
  | 'CUSTOMERS_INVALID_FIELD'
  | 'CUSTOMERS_ALREADY_MERGED'
  | 'CUSTOMERS_ALREADY_UNMERGED'
  | 'CUSTOMERS_MERGE_NOT_FOUND'
  | 'CUSTOMERS_LEGAL_HOLD';

export class CustomersError extends DomainError<CustomersErrorCode> {
  override name = 'CustomersError';
}
