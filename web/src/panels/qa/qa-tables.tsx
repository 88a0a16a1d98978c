import { formatDateTime } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { channelLabel } from '../inbox/timeline.tsx';
import { effectiveScore, failedCount, type QaReportRow, type QaResult, topFindings } from './api.ts';

const when = (iso: string) => formatDateTime(iso);

/** The scored contacts, newest first; "Review" opens one. */
export function QaResultsTable(props: {
  results: QaResult[] | undefined;
  nameOf: (id: string | undefined) => string;
  onOpen: (contactId: string) => void;
}) {
  const rs = props.results;
  return (
    <section class="card stack" data-testid="qa-results">
      <h3>{t('qa.results')}</h3>
      {rs?.length === 0 ? (
        <p class="muted" data-testid="qa-none">
          {t('qa.none')}
        </p>
      ) : null}
      {rs?.length ? (
        <table class="qa-table">
          <thead>
            <tr>
              <th>{t('qa.agent')}</th>
              <th>{t('qa.channel')}</th>
              <th>{t('qa.score')}</th>
              <th>{t('qa.findings')}</th>
              <th>{t('qa.date')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rs.map((r) => (
              <tr
                key={r.contactId}
                data-testid="qa-row"
                data-contact-id={r.contactId}
                data-agent-id={r.agentId ?? ''}
              >
                <td data-testid="qa-row-agent">{props.nameOf(r.agentId)}</td>
                <td>{channelLabel(r.channel)}</td>
                <td data-testid="qa-row-score" data-overridden={String(!!r.override)}>
                  {effectiveScore(r) ?? <span class="muted">{t('qa.notScored')}</span>}
                  {r.override && r.score !== undefined ? <span class="muted"> ({r.score})</span> : null}
                </td>
                <td data-testid="qa-row-findings">{t('qa.failedCount', { count: failedCount(r) })}</td>
                <td>{when(r.closedAt)}</td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    data-testid="qa-open"
                    onClick={() => props.onOpen(r.contactId)}
                  >
                    {t('qa.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Per-agent averages (overrides count) and the rules failed most. */
export function QaReportTable(props: { rows: QaReportRow[]; nameOf: (id: string | undefined) => string }) {
  return (
    <section class="card stack" data-testid="qa-report">
      <h3>{t('qa.report')}</h3>
      {props.rows.length === 0 ? <p class="muted">{t('qa.reportNone')}</p> : null}
      {props.rows.length ? (
        <table class="qa-table">
          <thead>
            <tr>
              <th>{t('qa.agent')}</th>
              <th>{t('qa.contacts')}</th>
              <th>{t('qa.average')}</th>
              <th>{t('qa.topFindings')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.agentId} data-testid="qa-report-row" data-agent-id={r.agentId}>
                <td>{props.nameOf(r.agentId)}</td>
                <td data-testid="qa-report-contacts">{r.contacts}</td>
                <td data-testid="qa-report-average">{r.averageScore}</td>
                <td>
                  {topFindings(r)
                    .map(([rule, n]) => `${t(`qa.rule.${rule}`)} ×${n}`)
                    .join(', ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
