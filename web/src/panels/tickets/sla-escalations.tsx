import type { User } from '../../data/auth.ts';
import { t } from '../../i18n/index.ts';
import type { DepartmentDef, EscalationAction, EscalationRule } from './api.ts';

/** The one of each action the form edits; other actions of a rule (more notifies, reassign to a user) are kept as stored. */
interface RuleView {
  raise: boolean;
  notify: string;
  department: string;
}

function viewOf(rule: EscalationRule): RuleView {
  const notify = rule.actions.find((a) => a.kind === 'notify');
  const reassign = rule.actions.find((a) => a.kind === 'reassign' && a.departmentId !== undefined);
  return {
    raise: rule.actions.some((a) => a.kind === 'raise_priority'),
    notify: notify?.kind === 'notify' ? notify.userId : '',
    department: reassign?.kind === 'reassign' ? (reassign.departmentId ?? '') : '',
  };
}

function withView(rule: EscalationRule, v: RuleView): EscalationRule {
  const view = viewOf(rule);
  const edited = (a: EscalationAction) =>
    a.kind === 'raise_priority' ||
    (a.kind === 'notify' && a.userId === view.notify) ||
    (a.kind === 'reassign' && a.departmentId !== undefined && a.departmentId === view.department);
  const actions: EscalationAction[] = [
    ...(v.raise ? [{ kind: 'raise_priority' } as const] : []),
    ...(v.notify ? [{ kind: 'notify', userId: v.notify } as const] : []),
    ...(v.department ? [{ kind: 'reassign', departmentId: v.department } as const] : []),
    ...rule.actions.filter((a) => !edited(a)),
  ];
  return { ...rule, actions };
}

const userLabel = (u: User) => `${u.displayName || u.username} (${u.username})`;

/**
 * SLA escalation rules as a form: per rule, on a first-response or resolution breach,
 * raise the priority, notify a user and/or reassign to a department (both picked by name).
 * Test ids: `sla-esc-add`, and per rule i `sla-esc-<i>` with `-on`, `-raise`, `-notify`, `-department`, `-remove`.
 */
export function SlaEscalations(props: {
  rules: EscalationRule[];
  users: User[];
  departments: DepartmentDef[];
  onChange: (rules: EscalationRule[]) => void;
}) {
  const set = (i: number, rule: EscalationRule) =>
    props.onChange(props.rules.map((r, j) => (j === i ? rule : r)));
  return (
    <div class="stack" data-testid="sla-escalations">
      <h3>{t('tickets.sla.escalations')}</h3>
      {props.rules.length === 0 && <p class="muted">{t('tickets.sla.noEscalations')}</p>}
      {props.rules.map((rule, i) => {
        const v = viewOf(rule);
        return (
          <fieldset key={i} class="row" data-testid={`sla-esc-${i}`}>
            <label>
              {t('tickets.sla.escOn')}
              <select
                data-testid={`sla-esc-${i}-on`}
                value={rule.on}
                onChange={(e) => set(i, { ...rule, on: e.currentTarget.value as EscalationRule['on'] })}
              >
                <option value="first_response">{t('tickets.sla.onFirstResponse')}</option>
                <option value="resolution">{t('tickets.sla.onResolution')}</option>
                {rule.on === 'next_response' && (
                  <option value="next_response">{t('tickets.sla.onNextResponse')}</option>
                )}
              </select>
            </label>
            <label class="row">
              <input
                type="checkbox"
                data-testid={`sla-esc-${i}-raise`}
                checked={v.raise}
                onChange={(e) => set(i, withView(rule, { ...v, raise: e.currentTarget.checked }))}
              />
              {t('tickets.sla.escRaise')}
            </label>
            <label>
              {t('tickets.sla.escNotify')}
              <select
                data-testid={`sla-esc-${i}-notify`}
                value={v.notify}
                onChange={(e) => set(i, withView(rule, { ...v, notify: e.currentTarget.value }))}
              >
                <option value="">{t('tickets.sla.escNobody')}</option>
                {props.users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {userLabel(u)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('tickets.sla.escReassign')}
              <select
                data-testid={`sla-esc-${i}-department`}
                value={v.department}
                onChange={(e) => set(i, withView(rule, { ...v, department: e.currentTarget.value }))}
              >
                <option value="">{t('tickets.sla.escNoDepartment')}</option>
                {props.departments.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              data-testid={`sla-esc-${i}-remove`}
              onClick={() => props.onChange(props.rules.filter((_, j) => j !== i))}
            >
              {t('tickets.sla.escRemove')}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        data-testid="sla-esc-add"
        onClick={() =>
          props.onChange([...props.rules, { on: 'first_response', actions: [{ kind: 'raise_priority' }] }])
        }
      >
        {t('tickets.sla.escAdd')}
      </button>
    </div>
  );
}
