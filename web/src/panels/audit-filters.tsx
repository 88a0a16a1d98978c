import type { AuditOutcome } from '../data/audit.ts';
import { t } from '../i18n/index.ts';

export interface Filters {
  actor: string;
  action: string;
  outcome: AuditOutcome | '';
  /** datetime-local strings (local time). */
  from: string;
  to: string;
}

const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];

export function AuditFilters(props: {
  value: Filters;
  busy: boolean;
  onChange: (next: Filters) => void;
  onSearch: () => void;
}) {
  const set = <K extends keyof Filters>(key: K, v: Filters[K]) =>
    props.onChange({ ...props.value, [key]: v });
  const text = (key: 'actor' | 'action' | 'from' | 'to', type = 'text') => (
    <label>
      {t(`audit.${key}`)}
      <input
        type={type}
        data-testid={`audit-filter-${key}`}
        value={props.value[key]}
        onInput={(e) => set(key, e.currentTarget.value)}
      />
    </label>
  );
  return (
    <form
      class="card row filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch();
      }}
    >
      {text('actor')}
      {text('action')}
      <label>
        {t('audit.outcome')}
        <select
          data-testid="audit-filter-outcome"
          value={props.value.outcome}
          onChange={(e) => set('outcome', OUTCOMES.find((o) => o === e.currentTarget.value) ?? '')}
        >
          <option value="">{t('audit.any')}</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {t(`audit.outcome.${o}`)}
            </option>
          ))}
        </select>
      </label>
      {text('from', 'datetime-local')}
      {text('to', 'datetime-local')}
      <button type="submit" data-testid="audit-search" disabled={props.busy}>
        {t('audit.search')}
      </button>
    </form>
  );
}
