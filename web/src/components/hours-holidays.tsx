import { useSignal } from '@preact/signals';
import type { Calendar } from '../data/calendar.ts';
import { t } from '../i18n/index.ts';
import { WeekHours } from './week-hours.tsx';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A calendar's weekly hours and its holidays (dates, kept sorted and unique).
 * Test ids: `<prefix>-hours…`, `<prefix>-holidays`, `<prefix>-holiday-date`, `-holiday-add`, `-holiday-remove-<date>`.
 */
export function HoursAndHolidays(props: {
  calendar: Pick<Calendar, 'weekly' | 'holidays'>;
  onChange: (patch: Partial<Pick<Calendar, 'weekly' | 'holidays'>>) => void;
  prefix: string;
}) {
  const holiday = useSignal('');
  const { weekly, holidays } = props.calendar;
  const id = props.prefix;
  return (
    <>
      <WeekHours
        weekly={weekly}
        onChange={(next) => props.onChange({ weekly: next })}
        testid={`${id}-hours`}
      />
      <small class="muted">{t('hours.midnight')}</small>
      <fieldset>
        <legend>{t('hours.holidays')}</legend>
        <ul data-testid={`${id}-holidays`}>
          {holidays.map((d) => (
            <li key={d} class="row">
              <span>{d}</span>
              <button
                type="button"
                class="secondary"
                data-testid={`${id}-holiday-remove-${d}`}
                onClick={() => props.onChange({ holidays: holidays.filter((x) => x !== d) })}
              >
                {t('common.delete')}
              </button>
            </li>
          ))}
        </ul>
        <div class="row">
          <input
            type="date"
            data-testid={`${id}-holiday-date`}
            aria-label={t('hours.holidayDate')}
            value={holiday.value}
            onInput={(e) => {
              holiday.value = e.currentTarget.value;
            }}
          />
          <button
            type="button"
            class="secondary"
            data-testid={`${id}-holiday-add`}
            disabled={!DATE.test(holiday.value)}
            onClick={() => {
              props.onChange({ holidays: [...new Set([...holidays, holiday.value])].sort() });
              holiday.value = '';
            }}
          >
            {t('hours.addHoliday')}
          </button>
        </div>
      </fieldset>
    </>
  );
}
