import { useSignal } from '@preact/signals';
import { ErrorText } from '../../components/error-text.tsx';
import { ApiError, UNKNOWN_ERROR } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';
import type { UsedBy } from './api.ts';

export interface Refusal {
  code: string;
  field?: string;
  position?: number;
  usedBy?: UsedBy[];
}

/** The field a refusal names, in the console's language (never the server's message). */
export function fieldLabel(field: string): string {
  const parts = field.split('.');
  const n = String(Number(parts[1] ?? 0) + 1);
  if (field === 'agentExpression') return t('routing.field.agentExpression');
  if (field === 'calendarId') return t('routing.field.calendar');
  if (field === 'defaultTarget.queue') return t('routing.field.defaultQueue');
  if (field === 'defaultTarget.agentExpression') return t('routing.field.defaultAgents');
  if (parts[0] === 'skills') return t('routing.field.skill', { skill: parts.slice(1).join('.') });
  if (parts[0] === 'filters' && parts[2] === 'expression') return t('routing.field.filterCondition', { n });
  if (parts[0] === 'filters' && parts.at(-1) === 'queue') return t('routing.field.filterQueue', { n });
  if (parts[0] === 'filters' && parts.at(-1) === 'agentExpression')
    return t('routing.field.filterAgents', { n });
  return field;
}

export function refusalOf(err: unknown): Refusal {
  if (!(err instanceof ApiError)) return { code: UNKNOWN_ERROR };
  const d = err.details ?? {};
  const issues = Array.isArray(d['issues']) ? (d['issues'] as Array<{ path?: unknown }>) : [];
  const field =
    typeof d['field'] === 'string'
      ? d['field']
      : issues.length
        ? issues.map((i) => (Array.isArray(i.path) ? i.path.join('.') : String(i.path ?? ''))).join(', ')
        : undefined;
  return {
    code: err.code,
    ...(field ? { field } : {}),
    ...(typeof d['position'] === 'number' ? { position: d['position'] } : {}),
    ...(Array.isArray(d['usedBy']) ? { usedBy: d['usedBy'] as UsedBy[] } : {}),
  };
}

/** Busy flag and the last refusal (code, field, who uses the item) around one save or delete. */
export function useSave() {
  const busy = useSignal(false);
  const refusal = useSignal<Refusal | undefined>(undefined);
  return {
    busy: busy.value,
    refusal: refusal.value,
    clear: () => {
      refusal.value = undefined;
    },
    run: async (work: () => Promise<unknown>): Promise<boolean> => {
      if (busy.value) return false;
      busy.value = true;
      refusal.value = undefined;
      try {
        await work();
        return true;
      } catch (err) {
        refusal.value = refusalOf(err);
        return false;
      } finally {
        busy.value = false;
      }
    },
  };
}

/** A refusal: the translated code, the field it names, the position in a condition, who uses the item. */
export function SaveError(props: {
  refusal: Refusal | undefined;
  names?: (u: UsedBy) => string;
  testid?: string;
}) {
  const r = props.refusal;
  if (!r) return null;
  return (
    <div class="stack" data-testid={props.testid ?? 'routing-refusal'} data-code={r.code}>
      <ErrorText code={r.code} />
      {r.field ? (
        <p class="error" data-testid="routing-error-field" data-field={r.field}>
          {t('routing.errorField', { field: fieldLabel(r.field) })}
          {r.position === undefined ? '' : ` ${t('routing.errorAt', { position: r.position + 1 })}`}
        </p>
      ) : null}
      {r.usedBy?.length ? (
        <ul class="error" data-testid="routing-used-by">
          {r.usedBy.map((u) => (
            <li key={`${u.kind}:${u.id}`} data-testid="routing-used-by-item">
              {t(`routing.usedBy.${u.kind}`)}: {props.names ? props.names(u) : u.name}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
