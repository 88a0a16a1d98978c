import { DomainError } from '../contracts/index.ts';

export type CustomersErrorCode =
  | 'CUSTOMERS_NOT_FOUND'
  | 'CUSTOMERS_DUPLICATE_HANDLE'
  | 'CUSTOMERS_INVALID_FIELD';

export class CustomersError extends DomainError<CustomersErrorCode> {
  override name = 'CustomersError';
}
