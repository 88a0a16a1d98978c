import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import {
  computeStaffing,
  fetchIntervals,
  type IntervalRowView,
  mmss,
  pct,
  type Staffing,
} from '../wallboard/api.ts';
import '../wallboard/wallboard.css';

const today = () => new Date().toISOString().slice(0, 10);

function NumberField(props: { id: string; label: string; value: number; onInput: (v: number) => void }) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        data-testid={`rp-${props.id}`}
        value={props.value}
        onInput={(e) => props.onInput(Number((e.target as HTMLInputElement).value))}
      />
    </label>
  );
}

/** Interval report with CSV export, and an Erlang C staffing calculator. */
export function ReportsPanel() {
  const from = useSignal(today());
  const to = useSignal(today());
  const rows = useSignal<IntervalRowView[] | undefined>(undefined);
  const form = useSignal({
    volume: 100,
    intervalMinutes: 30,
    ahtSeconds: 180,
    target: 80,
    targetSeconds: 20,
    shrinkage: 30,
  });
  const staffing = useSignal<Staffing | undefined>(undefined);
  const load = useAction();
  const calc = useAction();
  const range = () => {
    const start = new Date(`${from.value}T00:00:00`);
    const end = new Date(`${to.value}T00:00:00`);
    end.setDate(end.getDate() + 1);
    return { from: start.toISOString(), to: end.toISOString() };
  };
  const query = () => {
    const r = range();
    return void load.run(async () => {
      rows.value = (await fetchIntervals(api, r.from, r.to)).intervals;
    });
  };
  const csvHref = () => {
    const r = range();
    return `/api/analytics/intervals?${new URLSearchParams({ ...r, format: 'csv' })}`;
  };
  const set = (key: keyof typeof form.value) => (v: number) => {
    form.value = { ...form.value, [key]: v };
  };
  const f = form.value;
  return (
    <div data-testid="reports-panel">
      <div class="rp-form">
        <label>
          {t('rp.from')}
          <input
            type="date"
            data-testid="rp-from"
            value={from.value}
            onInput={(e) => (from.value = (e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('rp.to')}
          <input
            type="date"
            data-testid="rp-to"
            value={to.value}
            onInput={(e) => (to.value = (e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="button" data-testid="rp-load" disabled={load.busy} onClick={query}>
          {t('rp.load')}
        </button>
        <a data-testid="rp-csv" href={csvHref()} download="intervals.csv">
          {t('rp.csv')}
        </a>
      </div>
      <ErrorText code={load.error} testid="rp-error" />
      {rows.value && rows.value.length === 0 ? <p data-testid="rp-empty">{t('rp.empty')}</p> : null}
      {rows.value && rows.value.length > 0 ? (
        <table class="grid" data-testid="rp-intervals">
          <thead>
            <tr>
              <th>{t('rp.interval')}</th>
              <th>{t('wb.queue')}</th>
              <th>{t('rp.channel')}</th>
              <th>{t('rp.offered')}</th>
              <th>{t('rp.answered')}</th>
              <th>{t('wb.answerRate')}</th>
              <th>{t('wb.serviceLevel', { seconds: rows.value[0]?.kpis.serviceLevelSeconds ?? 20 })}</th>
              <th>{t('wb.aht')}</th>
              <th>{t('wb.abandonRate')}</th>
              <th>{t('wb.csat')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.value.map((r) => (
              <tr key={`${r.bucket}-${r.queue}-${r.channel}`} data-testid="rp-row">
                <td>{new Date(r.bucket).toLocaleString()}</td>
                <td>{r.queue}</td>
                <td>{r.channel}</td>
                <td>{r.offered}</td>
                <td>{r.answered}</td>
                <td>{pct(r.kpis.answerRate)}</td>
                <td>{pct(r.kpis.serviceLevel)}</td>
                <td>{mmss(r.kpis.ahtSeconds)}</td>
                <td>{pct(r.kpis.abandonRate)}</td>
                <td>{r.kpis.csatAverage === null ? '—' : r.kpis.csatAverage.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3>{t('rp.staffing')}</h3>
      <div class="rp-form">
        <NumberField id="volume" label={t('rp.volume')} value={f.volume} onInput={set('volume')} />
        <NumberField
          id="minutes"
          label={t('rp.minutes')}
          value={f.intervalMinutes}
          onInput={set('intervalMinutes')}
        />
        <NumberField id="aht" label={t('rp.ahtSeconds')} value={f.ahtSeconds} onInput={set('ahtSeconds')} />
        <NumberField id="target" label={t('rp.target')} value={f.target} onInput={set('target')} />
        <NumberField
          id="target-seconds"
          label={t('rp.targetSeconds')}
          value={f.targetSeconds}
          onInput={set('targetSeconds')}
        />
        <NumberField
          id="shrinkage"
          label={t('rp.shrinkage')}
          value={f.shrinkage}
          onInput={set('shrinkage')}
        />
        <button
          type="button"
          data-testid="rp-compute"
          disabled={calc.busy}
          onClick={() =>
            void calc.run(async () => {
              staffing.value = await computeStaffing(api, {
                volume: f.volume,
                intervalMinutes: f.intervalMinutes,
                ahtSeconds: f.ahtSeconds,
                targetLevel: f.target / 100,
                targetSeconds: f.targetSeconds,
                shrinkage: f.shrinkage / 100,
              });
            })
          }
        >
          {t('rp.compute')}
        </button>
      </div>
      <ErrorText code={calc.error} testid="rp-staffing-error" />
      {staffing.value ? (
        <p data-testid="rp-staffing-result">
          {t('rp.result', {
            agents: staffing.value.agents,
            scheduled: staffing.value.scheduled,
            erlangs: staffing.value.trafficErlangs.toFixed(2),
            sl: pct(staffing.value.serviceLevel),
          })}
        </p>
      ) : null}
    </div>
  );
}
