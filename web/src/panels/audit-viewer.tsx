import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { type AuditQuery, type AuditRecord, auditExportUrl, searchAudit } from '../data/audit.ts';
import type { User } from '../data/auth.ts';
import { fetchUsers } from '../data/users.ts';
import { locale, t } from '../i18n/index.ts';
import { actionLabel } from './audit-actions.ts';
import { AuditDetails, TargetText } from './audit-details.tsx';
import { AuditFilters, type Filters, NO_FILTERS } from './audit-filters.tsx';
import { AuditVerify } from './audit-verify.tsx';

const PAGE = 100;

/** A `date` input value (local day) as the UTC instant that day starts, or the next day for an inclusive end. */
function dayStart(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/** The API query for the filters, newest first. */
export function toQuery(f: Filters): AuditQuery {
  const q: AuditQuery = { order: 'desc' };
  if (f.actor) q.actor = f.actor;
  if (f.action) q.action = f.action;
  if (f.target.trim()) q.target = f.target.trim();
  if (f.outcome) q.outcome = f.outcome;
  const from = dayStart(f.from);
  const to = dayStart(f.to, 1);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

export function AuditViewerPanel() {
  const filters = useSignal<Filters>(NO_FILTERS);
  const records = useSignal<AuditRecord[]>([]);
  const cursor = useSignal<string | undefined>(undefined);
  const users = useSignal<User[]>([]);
  const action = useAction();

  const nameOf = (id: string): string => {
    if (id === 'system') return t('audit.system');
    const bare = id.startsWith('user:') ? id.slice('user:'.length) : id;
    const u = users.value.find((x) => x.id === bare);
    return u ? u.displayName : id;
  };
  const search = (append: boolean) =>
    action.run(async () => {
      const page = await searchAudit(api, {
        ...toQuery(filters.value),
        limit: PAGE,
        ...(append && cursor.value ? { cursor: cursor.value } : {}),
      });
      records.value = append ? [...records.value, ...page.records] : page.records;
      cursor.value = page.cursor;
    });
  useEffect(() => {
    void fetchUsers(api)
      .then((list) => {
        users.value = list;
      })
      .catch(() => undefined); // ids stay visible without users.read
    void search(false);
  }, []);

  const when = new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'medium' });
  const query = toQuery(filters.value);
  return (
    <section class="stack">
      <h1>{t('audit.title')}</h1>
      <AuditFilters
        value={filters.value}
        users={users.value}
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
              data-testid="audit-export-csv"
              href={auditExportUrl(api, 'csv', query)}
            >
              {t('audit.exportCsv')}
            </a>
            <a
              class="button secondary"
              data-testid="audit-export-jsonl"
              href={auditExportUrl(api, 'jsonl', query)}
            >
              {t('audit.exportJsonl')}
            </a>
          </>
        )}
        <AuditVerify />
      </div>
      <ErrorText code={action.error} testid="audit-error" />
      <table class="grid" data-testid="audit-table" aria-describedby="audit-order">
        <caption id="audit-order" class="muted">
          {t('audit.newestFirst')}
        </caption>
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
            <tr
              key={r.seq}
              data-testid={`audit-row-${r.seq}`}
              data-action={r.action}
              class={`outcome-${r.outcome}`}
            >
              <td>{r.seq}</td>
              <td>
                <time dateTime={r.at}>{when.format(new Date(r.at))}</time>
              </td>
              <td data-testid="audit-actor" title={r.actor}>
                <TargetText target={r.actor} nameOf={nameOf} />
              </td>
              <td data-testid="audit-action">{actionLabel(r.action)}</td>
              <td title={r.target}>{r.target ? <TargetText target={r.target} nameOf={nameOf} /> : ''}</td>
              <td>{t(`audit.outcome.${r.outcome}`)}</td>
              <td>{r.source ?? ''}</td>
              <td>
                <AuditDetails details={r.details} nameOf={nameOf} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!action.busy && records.value.length === 0 && <p class="muted">{t('audit.empty')}</p>}
      {cursor.value && (
        <button type="button" class="secondary" disabled={action.busy} onClick={() => void search(true)}>
          {t('audit.more')}
        </button>
      )}
    </section>
  );
}
