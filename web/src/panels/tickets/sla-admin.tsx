import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { WeekHours } from '../../components/week-hours.tsx';
import type { User } from '../../data/auth.ts';
import { fetchUsers } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import {
  type DepartmentDef,
  listDepartments,
  listSlaPolicies,
  PRIORITY_LEVELS,
  type PriorityLevel,
  putSlaPolicy,
  type SlaPolicyDef,
} from './api.ts';
import { SlaEscalations } from './sla-escalations.tsx';

type Kind = 'firstResponseMinutes' | 'resolutionMinutes';
const KINDS: readonly Kind[] = ['firstResponseMinutes', 'resolutionMinutes'];

const blank = (): SlaPolicyDef => ({
  id: `sla-${Date.now().toString(36)}`,
  name: '',
  calendar: {
    timeZone: 'Asia/Shanghai',
    weekly: Object.fromEntries(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => [d, [['09:00', '18:00']]])),
    holidays: [],
  },
  targets: {},
  escalations: [],
});

function SlaForm(props: { policy: SlaPolicyDef; onDone: () => void }) {
  const p = useSignal<SlaPolicyDef>(props.policy);
  const holiday = useSignal('');
  const action = useAction();
  // Escalations pick users and departments by name.
  const users = useSignal<User[]>([]);
  const departments = useSignal<DepartmentDef[]>([]);
  useEffect(() => {
    void fetchUsers(api)
      .then((u) => {
        users.value = u;
      })
      .catch(() => undefined);
    void listDepartments(api)
      .then((d) => {
        departments.value = d;
      })
      .catch(() => undefined);
  }, []);
  const cur = p.value;
  const setTarget = (prio: PriorityLevel, kind: Kind, raw: string) => {
    const target = { ...cur.targets[prio] };
    const n = Number(raw);
    if (raw && Number.isInteger(n) && n > 0) target[kind] = n;
    else delete target[kind];
    p.value = { ...cur, targets: { ...cur.targets, [prio]: target } };
  };
  const cal = cur.calendar;
  return (
    <div class="card stack" data-testid="sla-form">
      <label>
        {t('tickets.sla.name')}
        <input
          data-testid="sla-name"
          value={cur.name}
          onInput={(e) => {
            p.value = { ...cur, name: e.currentTarget.value };
          }}
        />
      </label>
      <table data-testid="sla-targets">
        <thead>
          <tr>
            <th>{t('tickets.priority')}</th>
            <th>{t('tickets.sla.firstResponse')}</th>
            <th>{t('tickets.sla.resolution')}</th>
          </tr>
        </thead>
        <tbody>
          {PRIORITY_LEVELS.map((prio) => (
            <tr key={prio}>
              <td>{t(`tickets.sla.priority.${prio}`)}</td>
              {KINDS.map((kind) => (
                <td key={kind}>
                  <input
                    type="number"
                    min={1}
                    aria-label={`${t(`tickets.sla.priority.${prio}`)} ${t(kind === 'firstResponseMinutes' ? 'tickets.sla.firstResponse' : 'tickets.sla.resolution')}`}
                    data-testid={`sla-${prio}-${kind === 'firstResponseMinutes' ? 'first' : 'resolution'}`}
                    value={cur.targets[prio]?.[kind] ?? ''}
                    onInput={(e) => setTarget(prio, kind, e.currentTarget.value)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('tickets.sla.calendar')}</h3>
      <label>
        {t('tickets.sla.timeZone')}
        <input
          data-testid="sla-timezone"
          value={cal.timeZone}
          onInput={(e) => {
            p.value = { ...cur, calendar: { ...cal, timeZone: e.currentTarget.value.trim() } };
          }}
        />
      </label>
      <WeekHours
        testid="sla-hours"
        weekly={cal.weekly}
        onChange={(weekly) => {
          p.value = { ...cur, calendar: { ...cal, weekly } };
        }}
      />
      <div class="row">
        <label>
          {t('tickets.sla.holiday')}
          <input
            type="date"
            data-testid="sla-holiday"
            value={holiday.value}
            onInput={(e) => {
              holiday.value = e.currentTarget.value;
            }}
          />
        </label>
        <button
          type="button"
          data-testid="sla-holiday-add"
          disabled={!holiday.value}
          onClick={() => {
            const holidays = [...new Set([...(cal.holidays ?? []), holiday.value])].sort();
            p.value = { ...cur, calendar: { ...cal, holidays } };
            holiday.value = '';
          }}
        >
          {t('tickets.sla.addHoliday')}
        </button>
      </div>
      <ul data-testid="sla-holidays">
        {(cal.holidays ?? []).map((h) => (
          <li key={h}>
            {h}{' '}
            <button
              type="button"
              onClick={() => {
                p.value = {
                  ...cur,
                  calendar: { ...cal, holidays: (cal.holidays ?? []).filter((x) => x !== h) },
                };
              }}
            >
              {t('tickets.dept.removeMember')}
            </button>
          </li>
        ))}
      </ul>
      <SlaEscalations
        rules={cur.escalations}
        users={users.value}
        departments={departments.value}
        onChange={(escalations) => {
          p.value = { ...cur, escalations };
        }}
      />
      <ErrorText code={action.error} />
      <div class="row">
        <button
          type="button"
          data-testid="sla-save"
          disabled={action.busy || !cur.name.trim()}
          onClick={() =>
            void action.run(async () => {
              await putSlaPolicy(api, { ...cur, name: cur.name.trim() });
              props.onDone();
            })
          }
        >
          {t('common.save')}
        </button>
        <button type="button" data-testid="sla-back" onClick={props.onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}

/** SLA policies as forms: targets per priority, a business calendar on the shared week picker, escalation rules. */
export function SlaAdmin() {
  const list = useSignal<SlaPolicyDef[]>([]);
  const open = useSignal<SlaPolicyDef | undefined>(undefined);
  const action = useAction();
  const load = async () => {
    list.value = await listSlaPolicies(api);
  };
  useEffect(() => {
    void action.run(load);
  }, []);
  if (open.value) {
    return (
      <SlaForm
        key={open.value.id}
        policy={open.value}
        onDone={() => {
          open.value = undefined;
          void action.run(load);
        }}
      />
    );
  }
  const hours = (x: SlaPolicyDef) =>
    Object.entries(x.calendar.weekly)
      .map(
        ([d, spans]) => `${t(`hours.day.${d as 'Mon'}`)} ${(spans ?? []).map((s) => s.join('–')).join(', ')}`,
      )
      .join('；');
  return (
    <div class="stack" data-testid="sla-list">
      <ErrorText code={action.error} />
      <button
        type="button"
        data-testid="sla-new"
        onClick={() => {
          open.value = blank();
        }}
      >
        {t('tickets.sla.new')}
      </button>
      <table>
        <thead>
          <tr>
            <th>{t('tickets.sla.name')}</th>
            <th>{t('tickets.sla.calendar')}</th>
          </tr>
        </thead>
        <tbody>
          {list.value.map((x) => (
            <tr key={x.id} data-testid="sla-row">
              <td>
                <button
                  type="button"
                  data-testid="sla-open"
                  onClick={() => {
                    open.value = structuredClone(x);
                  }}
                >
                  {x.name}
                </button>
              </td>
              <td>{hours(x)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
