import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { HoursAndHolidays } from '../../components/hours-holidays.tsx';
import type { Calendar } from '../../data/calendar.ts';
import { t } from '../../i18n/index.ts';
import { defaultWorkflow, fetchRouting, putRouting, type SetupView } from './api.ts';
import { StepFrame, type StepProps } from './step-frame.tsx';

const FALLBACK_ID = 'business-hours';

/**
 * Opening hours and holidays, written into the calendar of the default workflow
 * (the one routing, the IVR's hours node and the widget all ask), in the branch's time zone.
 */
export function HoursStep(props: StepProps & { view: SetupView }) {
  const cal = useSignal<Calendar | undefined>(undefined);
  useEffect(() => {
    void fetchRouting(api).then((c) => {
      const id = defaultWorkflow(c)?.calendarId ?? FALLBACK_ID;
      cal.value = c.calendars.find((x) => x.id === id) ?? {
        id,
        name: t('setup.hours.calendarName'),
        timeZone: props.view.branch.timeZone,
        weekly: {},
        holidays: [],
      };
    });
  }, []);
  const c = cal.value;
  if (!c) return <p class="muted">{t('app.loading')}</p>;
  const update = (patch: Partial<Calendar>) => {
    cal.value = { ...c, ...patch };
  };
  return (
    <StepFrame
      step="hours"
      skip={props.skip}
      onSave={async () => {
        const { id, ...body } = c;
        await putRouting(api, 'calendars', id, { ...body, timeZone: props.view.branch.timeZone });
        await props.done();
      }}
    >
      <h2>{t('setup.step.hours')}</h2>
      <p>{t('setup.hours.intro', { zone: props.view.branch.timeZone })}</p>
      <HoursAndHolidays calendar={c} onChange={update} prefix="setup" />
    </StepFrame>
  );
}
