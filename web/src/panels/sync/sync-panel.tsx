import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { discardQuarantined, fetchSyncStatus, releaseQuarantined, type SyncStatusView } from './api.ts';

const REFRESH_MS = 5_000;

/** HQ sync page: per replication state, sequences, pending documents and lag, and the quarantine. */
export function SyncPanel() {
  const status = useSignal<SyncStatusView | undefined>(undefined);
  const load = useAction();
  const decide = useAction();
  const refresh = () =>
    void load.run(async () => {
      status.value = await fetchSyncStatus(api);
    });
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const act = (work: () => Promise<unknown>) =>
    void decide.run(async () => {
      await work();
      status.value = await fetchSyncStatus(api);
    });
  const s = status.value;
  return (
    <div data-testid="sync-panel">
      <button type="button" data-testid="sync-refresh" disabled={load.busy} onClick={refresh}>
        {t('sync.refresh')}
      </button>
      <ErrorText code={load.error} testid="sync-error" />
      {s && !s.enabled ? <p data-testid="sync-disabled">{t('sync.disabled')}</p> : null}
      {s?.enabled ? (
        <>
          <p data-testid="sync-summary">
            {t('sync.summary', {
              branch: s.branchId,
              policy: s.policyVersion ?? 0,
              docs: s.lagDocs ?? 0,
              seconds: s.lagSeconds ?? 0,
            })}
          </p>
          <table data-testid="sync-replications">
            <thead>
              <tr>
                <th>{t('sync.replication')}</th>
                <th>{t('sync.state')}</th>
                <th>{t('sync.lastSeq')}</th>
                <th>{t('sync.hqSeq')}</th>
                <th>{t('sync.pending')}</th>
                <th>{t('sync.lag')}</th>
                <th>{t('sync.quarantine')}</th>
                <th>{t('sync.lastError')}</th>
              </tr>
            </thead>
            <tbody>
              {s.replications.map((r) => (
                <tr key={r.name} data-testid={`sync-rep-${r.name}`}>
                  <td>{`${r.direction} ${r.name}`}</td>
                  <td data-testid={`sync-rep-${r.name}-state`}>
                    {r.hqReachable ? r.state : `${r.state} (${t('sync.unreachable')})`}
                  </td>
                  <td>{String(r.lastSeq)}</td>
                  <td>{r.hqUpdateSeq === undefined ? '—' : String(r.hqUpdateSeq)}</td>
                  <td data-testid={`sync-rep-${r.name}-pending`}>{r.pendingDocs}</td>
                  <td>{r.lagSeconds}</td>
                  <td>{r.quarantined}</td>
                  <td>{r.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('sync.quarantineTitle')}</h3>
          <ErrorText code={decide.error} testid="sync-decision-error" />
          {s.quarantine.length === 0 ? (
            <p data-testid="sync-quarantine-empty">{t('sync.quarantineEmpty')}</p>
          ) : (
            <table data-testid="sync-quarantine">
              <thead>
                <tr>
                  <th>{t('sync.replication')}</th>
                  <th>{t('sync.document')}</th>
                  <th>{t('sync.reason')}</th>
                  <th>{t('sync.at')}</th>
                  <th>{t('sync.decision')}</th>
                </tr>
              </thead>
              <tbody>
                {s.quarantine.map((q) => (
                  <tr key={q.id} data-testid={`sync-q-${q.id}`} data-doc={q.docId}>
                    <td>{q.cls}</td>
                    <td>{`${q.docId} (${q.rev})`}</td>
                    <td>
                      {q.reason}
                      {q.releaseRequest ? (
                        <div data-testid={`sync-q-${q.id}-request`}>
                          {t('sync.hqRequest', { by: q.releaseRequest.by, note: q.releaseRequest.note })}
                        </div>
                      ) : null}
                    </td>
                    <td>{q.at}</td>
                    <td>
                      <button
                        type="button"
                        data-testid={`sync-q-${q.id}-release`}
                        disabled={decide.busy}
                        onClick={() => act(() => releaseQuarantined(api, q.id))}
                      >
                        {t('sync.release')}
                      </button>{' '}
                      <button
                        type="button"
                        data-testid={`sync-q-${q.id}-discard`}
                        disabled={decide.busy}
                        onClick={() => {
                          if (window.confirm(t('sync.discardConfirm')))
                            act(() => discardQuarantined(api, q.id));
                        }}
                      >
                        {t('sync.discard')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </div>
  );
}
