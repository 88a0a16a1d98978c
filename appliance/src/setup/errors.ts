import { DomainError } from '../contracts/index.ts';

export type SetupErrorCode = 'SETUP_INVALID_FIELD';

/** A wizard value refused on save; `details.field` names the field. */
export class SetupError extends DomainError<SetupErrorCode> {
  override name = 'SetupError';
}

export const invalidField = (field: string, message: string) =>
  new SetupError('SETUP_INVALID_FIELD', `Cannot save ${field}: ${message}`, { details: { field } });
