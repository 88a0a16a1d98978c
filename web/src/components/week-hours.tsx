import { type Calendar, WEEKDAYS, type Weekday } from '../data/calendar.ts';
import { t } from '../i18n/index.ts';

type Weekly = Calendar['weekly'];

/** A closing time of 00:00 means midnight: routing's calendar writes it as 24:00. */
const toStored = (to: string) => (to === '00:00' ? '24:00' : to);
const toShown = (to: string) => (to === '24:00' ? '00:00' : to);

/**
 * Weekday and time pickers over routing's calendar format (`weekly` spans per
 * weekday): one span a day here; days with more spans keep the first.
 */
export function WeekHours(props: { weekly: Weekly; onChange: (next: Weekly) => void; testid?: string }) {
  const id = props.testid ?? 'hours';
  const set = (day: Weekday, span: [string, string] | undefined) => {
    const next: Weekly = { ...props.weekly };
    if (span) next[day] = [span];
    else delete next[day];
    props.onChange(next);
  };
  return (
    <table class="grid" data-testid={id}>
      <thead>
        <tr>
          <th>{t('hours.day')}</th>
          <th>{t('hours.open')}</th>
          <th>{t('hours.from')}</th>
          <th>{t('hours.to')}</th>
        </tr>
      </thead>
      <tbody>
        {WEEKDAYS.map((day) => {
          const span = props.weekly[day]?.[0];
          return (
            <tr key={day}>
              <td>{t(`hours.day.${day}`)}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={t('hours.openOn', { day: t(`hours.day.${day}`) })}
                  data-testid={`${id}-open-${day}`}
                  checked={span !== undefined}
                  onChange={(e) => set(day, e.currentTarget.checked ? ['09:00', '18:00'] : undefined)}
                />
              </td>
              <td>
                <input
                  type="time"
                  data-testid={`${id}-from-${day}`}
                  aria-label={t('hours.from')}
                  disabled={!span}
                  value={span?.[0] ?? ''}
                  onChange={(e) => span && set(day, [e.currentTarget.value, span[1]])}
                />
              </td>
              <td>
                <input
                  type="time"
                  data-testid={`${id}-to-${day}`}
                  aria-label={t('hours.to')}
                  disabled={!span}
                  value={span ? toShown(span[1]) : ''}
                  onChange={(e) => span && set(day, [span[0], toStored(e.currentTarget.value)])}
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
