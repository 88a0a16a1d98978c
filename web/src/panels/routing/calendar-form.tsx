import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { HoursAndHolidays } from '../../components/hours-holidays.tsx';
import type { Calendar } from '../../data/calendar.ts';
import { t } from '../../i18n/index.ts';
import { saveItem } from './api.ts';
import { IdField } from './id-field.tsx';
import { SaveError, useSave } from './save-error.tsx';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';

/** Business hours: the shared weekday/time picker and holidays as dates, in one time zone. */
export function CalendarForm(props: { initial?: Calendar | undefined; onSaved: () => void }) {
  const cal = useSignal<Calendar>(
    structuredClone(props.initial ?? { id: '', name: '', timeZone: browserZone(), weekly: {}, holidays: [] }),
  );
  const save = useSave();
  const c = cal.value;
  const update = (patch: Partial<Calendar>) => {
    cal.value = { ...cal.value, ...patch };
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const { id, ...body } = cal.value;
    void save.run(() => saveItem(api, 'calendars', id.trim(), body)).then((ok) => ok && props.onSaved());
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid="routing-form-calendars">
      <label>
        {t('routing.name')}
        <input
          data-testid="calendar-name"
          required
          maxLength={100}
          value={c.name}
          onInput={(e) => update({ name: e.currentTarget.value })}
        />
      </label>
      <IdField value={c.id} locked={props.initial !== undefined} onInput={(id) => update({ id })} />
      <label>
        {t('routing.timeZone')}
        <input
          data-testid="calendar-zone"
          required
          value={c.timeZone}
          onInput={(e) => update({ timeZone: e.currentTarget.value })}
        />
      </label>
      <HoursAndHolidays calendar={c} onChange={update} prefix="calendar" />
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
