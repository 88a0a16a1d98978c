import { useSignal } from '@preact/signals';
import { api, can } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { type MessageKey, t } from '../../i18n/index.ts';
import {
  fetchScreenPop,
  findByPhone,
  type ImportReportView,
  importFile,
  listCustomers,
  type ScreenPopView,
} from './api.ts';
import { ScreenPopCard } from './screenpop-card.tsx';

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** CRM page: find a customer by phone and show their card; import CSV/XLSX and show the report. */
export function CrmPanel() {
  const phone = useSignal('');
  const pop = useSignal<ScreenPopView | undefined>(undefined);
  const kind = useSignal('orders');
  const report = useSignal<ImportReportView | undefined>(undefined);
  const search = useAction();
  const upload = useAction();
  const list = useSignal<Array<{ id: string; name: string }>>([]);
  const next = useSignal<string | undefined>(undefined);
  const browse = useAction();
  /** The first page of customers, or the next one appended. */
  const loadPage = (cursor?: string) =>
    browse.run(async () => {
      const page = await listCustomers(api, cursor);
      list.value = cursor ? [...list.value, ...page.customers] : page.customers;
      next.value = page.nextCursor;
    });
  return (
    <div data-testid="crm-panel">
      <h1>{t('nav.crm')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void search.run(async () => {
            const found = await findByPhone(api, phone.value);
            const first = found.customers[0];
            pop.value = first ? await fetchScreenPop(api, first.id) : undefined;
          });
        }}
      >
        <input
          data-testid="crm-phone"
          aria-label={t('crm.phone')}
          value={phone.value}
          onInput={(e) => {
            phone.value = e.currentTarget.value;
          }}
        />
        <button type="submit" data-testid="crm-search" disabled={search.busy}>
          {t('crm.search')}
        </button>
      </form>
      <ErrorText code={search.error} testid="crm-search-error" />
      {pop.value ? <ScreenPopCard pop={pop.value} /> : null}
      <button type="button" data-testid="crm-browse" disabled={browse.busy} onClick={() => void loadPage()}>
        {t('crm.browse')}
      </button>
      <ul>
        {list.value.map((c) => (
          <li key={c.id} data-testid="crm-customer-row">
            <button
              type="button"
              onClick={() =>
                void search.run(async () => {
                  pop.value = await fetchScreenPop(api, c.id);
                })
              }
            >
              {c.name}
            </button>
          </li>
        ))}
      </ul>
      {next.value ? (
        <button
          type="button"
          data-testid="crm-more"
          disabled={browse.busy}
          onClick={() => void loadPage(next.value)}
        >
          {t('crm.more')}
        </button>
      ) : null}
      <ErrorText code={browse.error} testid="crm-browse-error" />
      {can('customers.write') ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const input = e.currentTarget.querySelector('input[type=file]') as HTMLInputElement | null;
            const file = input?.files?.[0];
            if (!file) return;
            void upload.run(async () => {
              report.value = undefined;
              const format = file.name.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
              try {
                report.value = await importFile(api, {
                  kind: kind.value,
                  format,
                  data: await base64Of(file),
                });
              } catch (err) {
                if (err instanceof ApiError && err.details)
                  report.value = err.details as unknown as ImportReportView;
                throw err;
              }
            });
          }}
        >
          <select
            data-testid="crm-import-kind"
            value={kind.value}
            onChange={(e) => {
              kind.value = e.currentTarget.value;
            }}
          >
            {['customers', 'orders', 'warranties', 'products'].map((k) => (
              <option key={k} value={k}>
                {t(`crmKind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
          <input type="file" accept=".csv,.xlsx" data-testid="crm-import-file" />
          <button type="submit" data-testid="crm-import" disabled={upload.busy}>
            {t('crm.import')}
          </button>
        </form>
      ) : null}
      <ErrorText code={upload.error} testid="crm-import-error" />
      {report.value ? (
        <div data-testid="crm-import-report" data-committed={String(report.value.committed)}>
          <p>
            {t('crm.reportSummary')
              .replace('{rows}', String(report.value.rows))
              .replace('{imported}', String(report.value.imported))}
          </p>
          <table>
            <tbody>
              {report.value.errors.map((er) => (
                <tr key={`${er.row}:${er.field}`} data-testid="crm-import-error-row">
                  <td>{er.row}</td>
                  <td>{er.field}</td>
                  <td>{er.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
