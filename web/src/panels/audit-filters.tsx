import type { AuditOutcome } from '../data/audit.ts';
import type { User } from '../data/auth.ts';
import { t } from '../i18n/index.ts';
import { AUDIT_ACTIONS, actionLabel } from './audit-actions.ts';

export interface Filters {
  /** User id, 'system', or '' for anyone. */
  actor: string;
  /** An action from the catalogue, or ''. */
  action: string;
  /** Exact object (`ticket:42`), or ''. */
  target: string;
  outcome: AuditOutcome | '';
  /** `date` input values (local calendar days, both inclusive). */
  from: string;
  to: string;
}

export const NO_FILTERS: Filters = { actor: '', action: '', target: '', outcome: '', from: '', to: '' };

const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];

/** Who, what, when, object and outcome; users are picked by name, actions by their translated label. */
export function AuditFilters(props: {
  value: Filters;
  users: readonly User[];
  busy: boolean;
  onChange: (next: Filters) => void;
  onSearch: () => void;
}) {
  const set = <K extends keyof Filters>(key: K, v: Filters[K]) =>
    props.onChange({ ...props.value, [key]: v });
  const users = [...props.users].sort((a, b) => a.displayName.localeCompare(b.displayName));
  const actions = [...AUDIT_ACTIONS].sort((a, b) => actionLabel(a).localeCompare(actionLabel(b)));
  const day = (key: 'from' | 'to') => (
    <label>
      {t(`audit.${key}`)}
      <input
        type="date"
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
      <label>
        {t('audit.actor')}
        <select
          data-testid="audit-filter-actor"
          value={props.value.actor}
          onChange={(e) => set('actor', e.currentTarget.value)}
        >
          <option value="">{t('audit.any')}</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username})
            </option>
          ))}
          <option value="system">{t('audit.system')}</option>
        </select>
      </label>
      <label>
        {t('audit.action')}
        <select
          data-testid="audit-filter-action"
          value={props.value.action}
          onChange={(e) => set('action', e.currentTarget.value)}
        >
          <option value="">{t('audit.any')}</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {actionLabel(a)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('audit.target')}
        <input
          data-testid="audit-filter-target"
          placeholder={t('audit.targetHint')}
          value={props.value.target}
          onInput={(e) => set('target', e.currentTarget.value)}
        />
      </label>
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
      {day('from')}
      {day('to')}
      <button type="submit" data-testid="audit-search" disabled={props.busy}>
        {t('audit.search')}
      </button>
    </form>
  );
}
