import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, onEvent } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { shippedName } from '../../i18n/labels.ts';
import { fetchQueueNames, fetchWallboard, mmss, pct, type Wallboard } from './api.ts';
import './wallboard.css';

function Tile(props: { id: string; label: string; value: string; sub?: string }) {
  return (
    <div class="wb-tile" data-testid={`wb-${props.id}`}>
      <div class="wb-value" data-testid={`wb-${props.id}-value`}>
        {props.value}
      </div>
      <div class="wb-label">{props.label}</div>
      {props.sub ? <div class="wb-sub">{props.sub}</div> : null}
    </div>
  );
}

/** Supervisor wallboard: today's KPIs, pushed live over the console WebSocket (analytics.wallboard_updated). */
export function WallboardPanel() {
  const wb = useSignal<Wallboard | undefined>(undefined);
  const now = useSignal(Date.now());
  const names = useSignal<Record<string, string>>({});
  const load = useAction();
  useEffect(() => {
    void load.run(async () => {
      wb.value = await fetchWallboard(api);
    });
    // Names are a nicety: a queue whose name cannot be read shows its id.
    fetchQueueNames(api).then(
      (n) => {
        names.value = n;
      },
      () => undefined,
    );
    const off = onEvent('analytics.wallboard_updated', (e) => {
      wb.value = e.data as unknown as Wallboard;
    });
    // The longest wait grows between pushes; tick it locally from the oldest arrival time.
    const timer = setInterval(() => {
      now.value = Date.now();
    }, 1000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, []);
  const w = wb.value;
  const k = w?.kpis;
  const longest = w?.oldestQueuedAt ? Math.max(0, (now.value - Date.parse(w.oldestQueuedAt)) / 1000) : 0;
  return (
    <div data-testid="wallboard-panel">
      <ErrorText code={load.error} testid="wb-error" />
      {w && k ? (
        <>
          <div class="wb-grid">
            <Tile
              id="waiting"
              label={t('wb.waiting')}
              value={String(w.waiting)}
              sub={`${t('wb.longestWait')} ${mmss(longest)}`}
            />
            <Tile id="unroutable" label={t('wb.unroutable')} value={String(w.unroutable ?? 0)} />
            <Tile id="answer-rate" label={t('wb.answerRate')} value={pct(k.answerRate)} />
            <Tile
              id="service-level"
              label={t('wb.serviceLevel', { seconds: k.serviceLevelSeconds })}
              value={pct(k.serviceLevel)}
            />
            <Tile id="aht" label={t('wb.aht')} value={mmss(k.ahtSeconds)} />
            <Tile id="abandon-rate" label={t('wb.abandonRate')} value={pct(k.abandonRate)} />
            <Tile
              id="csat"
              label={t('wb.csat')}
              value={k.csatAverage === null ? '—' : k.csatAverage.toFixed(2)}
              sub={t('wb.csatPositive', { pct: pct(k.csatPositiveRate) })}
            />
          </div>
          <p data-testid="wb-offered">
            {t('wb.offered', { offered: k.offered, answered: k.answered, abandoned: k.abandoned })}
          </p>
          <p data-testid="wb-agents">{t('wb.agents', { ...w.agents })}</p>
          <table class="grid" data-testid="wb-queues">
            <thead>
              <tr>
                <th>{t('wb.queue')}</th>
                <th>{t('wb.waiting')}</th>
                <th>{t('wb.answerRate')}</th>
                <th>{t('wb.serviceLevel', { seconds: k.serviceLevelSeconds })}</th>
                <th>{t('wb.aht')}</th>
              </tr>
            </thead>
            <tbody>
              {w.byQueue.map((q) => (
                <tr key={q.queue} data-testid={`wb-queue-${q.queue}`}>
                  <td>{shippedName('queue', q.queue, names.value[q.queue])}</td>
                  <td>{q.waiting}</td>
                  <td>{pct(q.kpis.answerRate)}</td>
                  <td>{pct(q.kpis.serviceLevel)}</td>
                  <td>{mmss(q.kpis.ahtSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
