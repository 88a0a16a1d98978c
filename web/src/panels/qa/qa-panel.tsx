import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api, can, onEvent } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { ShowMore } from '../../components/show-more.tsx';
import { useAction } from '../../components/use-action.ts';
import { fetchUsers } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import { listQaPage, periodBounds, type QaFilter, type QaReportRow, type QaResult, qaReport } from './api.ts';
import { BotSettingsCard } from './bot-settings.tsx';
import { QaDetail } from './qa-detail.tsx';
import { QaReportTable, QaResultsTable } from './qa-tables.tsx';
import { ScorecardsCard } from './scorecards-card.tsx';
import './qa.css';

const daysAgo = (n: number) => {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return d.toISOString().slice(0, 10);
};

/** 质检: scored contacts with filters, one contact's review, and the per-agent report. */
export function QaPanel() {
  const agentId = useSignal('');
  const from = useSignal(daysAgo(7));
  const to = useSignal(daysAgo(0));
  const results = useSignal<QaResult[] | undefined>(undefined);
  const report = useSignal<QaReportRow[]>([]);
  const names = useSignal<Record<string, string>>({});
  const selected = useSignal<string | undefined>(undefined);
  const next = useSignal<string | undefined>(undefined);
  /** The filter the shown results were read with: "Show more" continues that listing. */
  const shown = useRef<QaFilter>({});
  const action = useAction();
  const filter = () => ({
    ...periodBounds(from.value, to.value),
    ...(agentId.value ? { agentId: agentId.value } : {}),
  });

  const load = () =>
    void action.run(async () => {
      shown.current = filter();
      const [r, rows] = await Promise.all([
        listQaPage(api, shown.current),
        qaReport(api, periodBounds(from.value, to.value)),
      ]);
      results.value = r.results;
      next.value = r.nextCursor;
      report.value = rows;
    });
  /** The next page of the same filter appended (the cursor is bound to it). */
  const more = (cursor: string) =>
    void action.run(async () => {
      const r = await listQaPage(api, shown.current, cursor);
      results.value = [...(results.value ?? []), ...r.results];
      next.value = r.nextCursor;
    });

  useEffect(() => {
    load();
    // Names are a nicety: without users.read the page shows ids.
    if (can('users.read'))
      fetchUsers(api).then(
        (us) => {
          names.value = Object.fromEntries(us.map((u) => [u.id, u.displayName || u.username]));
        },
        () => undefined,
      );
    return onEvent(/^intelligence\.qa_(scored|reviewed)$/, () => load());
  }, []);

  const nameOf = (id: string | undefined) =>
    !id || id === 'unassigned' ? t('qa.unassigned') : (names.value[id] ?? id);
  const agents = [...new Set(report.value.map((r) => r.agentId).filter((a) => a !== 'unassigned'))];

  if (selected.value)
    return (
      <div class="stack" data-testid="qa-panel">
        <QaDetail
          contactId={selected.value}
          nameOf={nameOf}
          onBack={() => {
            selected.value = undefined;
            load();
          }}
        />
      </div>
    );

  return (
    <div class="stack" data-testid="qa-panel">
      <h2>{t('qa.title')}</h2>
      <form
        class="row card"
        data-testid="qa-filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {t('qa.agent')}
          <select
            data-testid="qa-agent"
            value={agentId.value}
            onChange={(e) => {
              agentId.value = e.currentTarget.value;
              load();
            }}
          >
            <option value="">{t('qa.allAgents')}</option>
            {agents.map((a) => (
              <option key={a} value={a}>
                {nameOf(a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('qa.from')}
          <input
            type="date"
            data-testid="qa-from"
            value={from.value}
            onInput={(e) => {
              from.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('qa.to')}
          <input
            type="date"
            data-testid="qa-to"
            value={to.value}
            onInput={(e) => {
              to.value = e.currentTarget.value;
            }}
          />
        </label>
        <button type="submit" data-testid="qa-apply" disabled={action.busy}>
          {t('qa.apply')}
        </button>
      </form>
      <ErrorText code={action.error} testid="qa-error" />
      <QaResultsTable
        results={results.value}
        nameOf={nameOf}
        onOpen={(id) => {
          selected.value = id;
        }}
      />
      <ShowMore next={next.value} onMore={more} testid="qa-more" busy={action.busy} />
      <QaReportTable rows={report.value} nameOf={nameOf} />
      <ScorecardsCard />
      {can('system.manage') ? <BotSettingsCard /> : null}
    </div>
  );
}
