import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { type AuditQuery, type AuditRecord, auditExportUrl, searchAudit } from '../data/audit.ts';
import { t } from '../i18n/index.ts';
import { AuditFilters, type Filters } from './audit-filters.tsx';
import { AuditVerify } from './audit-verify.tsx';

const PAGE = 100;

/** datetime-local values are local wall-clock time; the API wants UTC ISO-8601. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function toQuery(f: Filters): AuditQuery {
  const q: AuditQuery = {};
  if (f.actor.trim()) q.actor = f.actor.trim();
  if (f.action.trim()) q.action = f.action.trim();
  if (f.outcome) q.outcome = f.outcome;
  const from = toIso(f.from);
  const to = toIso(f.to);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

export function AuditViewerPanel() {
  const filters = useSignal<Filters>({ actor: '', action: '', outcome: '', from: '', to: '' });
  const records = useSignal<AuditRecord[]>([]);
  const more = useSignal(false);
  const action = useAction();

  const search = (append: boolean) =>
    action.run(async () => {
      const last = append ? records.value.at(-1) : undefined;
      const page = await searchAudit(api, {
        ...toQuery(filters.value),
        limit: PAGE,
        ...(last ? { after: last.seq } : {}),
      });
      records.value = append ? [...records.value, ...page] : page;
      more.value = page.length === PAGE;
    });
  useEffect(() => {
    void search(false);
  }, []);

  const query = toQuery(filters.value);
  return (
    <section class="stack">
      <h1>{t('audit.title')}</h1>
      <AuditFilters
        value={filters.value}
        busy={action.busy}
        onChange={(next) => {
          filters.value = next;
        }}
        onSearch={() => void search(false)}
      />
      <div class="row">
        {can('audit.export') && (
          <>
            <a
              class="button secondary"
              data-testid="audit-export-jsonl"
              href={auditExportUrl(api, 'jsonl', query)}
            >
              {t('audit.exportJsonl')}
            </a>
            <a
              class="button secondary"
              data-testid="audit-export-csv"
              href={auditExportUrl(api, 'csv', query)}
            >
              {t('audit.exportCsv')}
            </a>
          </>
        )}
        <AuditVerify />
      </div>
      <ErrorText code={action.error} testid="audit-error" />
      <table class="grid" data-testid="audit-table">
        <thead>
          <tr>
            <th>{t('audit.col.seq')}</th>
            <th>{t('audit.col.at')}</th>
            <th>{t('audit.actor')}</th>
            <th>{t('audit.action')}</th>
            <th>{t('audit.col.target')}</th>
            <th>{t('audit.outcome')}</th>
            <th>{t('audit.col.source')}</th>
            <th>{t('audit.col.details')}</th>
          </tr>
        </thead>
        <tbody>
          {records.value.map((r) => (
            <tr key={r.seq} data-testid={`audit-row-${r.seq}`} class={`outcome-${r.outcome}`}>
              <td>{r.seq}</td>
              <td>{new Date(r.at).toLocaleString()}</td>
              <td>{r.actor}</td>
              <td>
                <code>{r.action}</code>
              </td>
              <td>{r.target ?? ''}</td>
              <td>{t(`audit.outcome.${r.outcome}`)}</td>
              <td>{r.source ?? ''}</td>
              <td>
                <code class="wrap">{r.details ? JSON.stringify(r.details) : ''}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!action.busy && records.value.length === 0 && <p class="muted">{t('audit.empty')}</p>}
      {more.value && (
        <button type="button" class="secondary" disabled={action.busy} onClick={() => void search(true)}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}
