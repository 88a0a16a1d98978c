import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import { listTicketPage, type TicketRow } from './api.ts';
import { type Failure, failureOf, RefusalText } from './refusal.tsx';
import { TicketDetailView } from './ticket-detail.tsx';
import { stateLabel } from './workflow-diagram.tsx';

/** Agents' ticket list; a row opens the detail view. */
export function TicketsPanel() {
  const rows = useSignal<TicketRow[]>([]);
  const open = useSignal<string | undefined>(undefined);
  const failure = useSignal<Failure | undefined>(undefined);
  const next = useSignal<string | undefined>(undefined);
  /** The first page, or the one after `cursor` appended to what is shown. */
  const load = async (cursor?: string) => {
    try {
      const page = await listTicketPage(api, cursor);
      rows.value = cursor ? [...rows.value, ...page.tickets] : page.tickets;
      next.value = page.nextCursor;
    } catch (e) {
      failure.value = failureOf(e);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  if (open.value) {
    return (
      <TicketDetailView
        id={open.value}
        onBack={() => {
          open.value = undefined;
          void load();
        }}
      />
    );
  }
  return (
    <section class="stack" data-testid="tickets-panel">
      <h1>{t('tickets.title')}</h1>
      <RefusalText failure={failure.value} />
      {rows.value.length === 0 ? (
        <p>{t('tickets.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('tickets.number')}</th>
              <th>{t('tickets.subject')}</th>
              <th>{t('tickets.state')}</th>
              <th>{t('tickets.priority')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.value.map((r) => (
              <tr key={r.id} data-testid="ticket-row">
                <td>
                  <button
                    type="button"
                    data-testid={`ticket-open-${r.number}`}
                    onClick={() => {
                      open.value = r.id;
                    }}
                  >
                    {r.number}
                  </button>
                </td>
                <td>{r.subject}</td>
                <td>{stateLabel(undefined, r.state)}</td>
                <td>
                  {label('priority', r.priority)}
                  {r.sla?.breached.length ? ` · ${t('tickets.breached')}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next.value ? (
        <button type="button" data-testid="tickets-more" onClick={() => void load(next.value)}>
          {t('tickets.more')}
        </button>
      ) : null}
    </section>
  );
}
