import { ApiError, UNKNOWN_ERROR } from '../../data/api.ts';
import { errorText, t } from '../../i18n/index.ts';

export interface Failure {
  code: string;
  details: Record<string, unknown> | undefined;
}

export const failureOf = (e: unknown): Failure =>
  e instanceof ApiError ? { code: e.code, details: e.details } : { code: UNKNOWN_ERROR, details: undefined };

const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));

/** A guard refusal, translated by code and explained from its details (never the server's message). */
export function RefusalText({ failure }: { failure: Failure | undefined }) {
  if (!failure) return null;
  const d = failure.details ?? {};
  let why: string | undefined;
  if (failure.code === 'TICKETS_TRANSITION_REFUSED') {
    if (d.reason === 'missing_fields') why = t('tickets.missingFields', { fields: list(d.missingFields) });
    else if (d.reason === 'role') why = t('tickets.requiredRoles', { roles: list(d.requiredRoles) });
    else if (d.reason === 'guard' && d.level) why = t('tickets.guardLevel', { level: String(d.level) });
    else if (d.reason === 'guard') why = t('tickets.guardState', { state: String(d.state) });
    else if (d.reason === 'no_transition') why = t('tickets.notAllowed', { states: list(d.allowed) });
  }
  if (failure.code === 'TICKETS_INVALID_WORKFLOW' && d.state) {
    why = t('tickets.admin.invalidAt', { state: String(d.state), reason: String(d.reason ?? '') });
  }
  return (
    <p class="error" role="alert" data-testid="ticket-error" data-code={failure.code}>
      {errorText(failure.code)} {why}
    </p>
  );
}
