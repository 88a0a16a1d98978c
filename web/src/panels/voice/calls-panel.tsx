import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ShowMore } from '../../components/show-more.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { fetchCalls, fetchRecordingPage, type LiveCall, type RecordingRow, recordingUrl } from './api.ts';
import { BlockedSources } from './blocked-sources.tsx';
import { LegalHoldsSection, RecordingHoldActions } from './recording-holds.tsx';
import { RetentionPolicyEditor } from './retention-policy.tsx';
import { SuperviseControls } from './supervise.tsx';

/**
 * Live calls (polled), each talking call with listen/whisper/barge for the
 * supervisor, and recordings; a truncated recording is flagged, never shown as complete.
 */
export function CallsPanel() {
  const calls = useSignal<LiveCall[]>([]);
  const recordings = useSignal<RecordingRow[]>([]);
  const next = useSignal<string | undefined>(undefined);
  /** Bumped when a hold changes, so the holds list and the badges reload together. */
  const holdsVersion = useSignal(0);
  const load = async () => {
    calls.value = await fetchCalls(api);
    const page = await fetchRecordingPage(api);
    recordings.value = page.recordings;
    next.value = page.nextCursor;
  };
  /** The next page of recordings appended to what is shown. */
  const more = async (cursor: string) => {
    const page = await fetchRecordingPage(api, cursor);
    recordings.value = [...recordings.value, ...page.recordings];
    next.value = page.nextCursor;
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void fetchCalls(api).then((c) => (calls.value = c)), 3000);
    return () => clearInterval(timer);
  }, []);
  const mayDownload = can('contacts.monitor');
  return (
    <div class="stack" data-testid="calls-panel">
      <h1>{t('nav.voice')}</h1>
      <div class="row">
        <h2>{t('voice.liveCalls')}</h2>
        <button type="button" class="secondary" data-testid="calls-refresh" onClick={() => void load()}>
          {t('voice.refresh')}
        </button>
      </div>
      {calls.value.length === 0 ? (
        <p data-testid="calls-empty">{t('voice.noCalls')}</p>
      ) : (
        <ul class="stack" data-testid="calls-list">
          {calls.value.map((c) => (
            <li key={c.id} class="row" data-testid={`call-${c.id}`}>
              <span>{new Date(c.startedAt).toLocaleTimeString()}</span>
              <strong>{t(`voice.state.${c.state}` as MessageKey)}</strong>
              {c.queue && (
                <span>
                  {t('voice.queue')}: {c.queue}
                </span>
              )}
              {c.agentUserId && (
                <span>
                  {t('voice.agent')}: <code>{c.agentUserId}</code>
                </span>
              )}
              {c.state === 'bridged' && <SuperviseControls callId={c.id} />}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('voice.recordings')}</h2>
      {recordings.value.length === 0 ? (
        <p data-testid="recordings-empty">{t('voice.noRecordings')}</p>
      ) : (
        <ul class="stack" data-testid="recordings-list">
          {recordings.value.map((r) => (
            <li key={r.callId} class="row" data-testid={`recording-${r.callId}`}>
              <span>{new Date(r.startedAt).toLocaleString()}</span>
              <code>{r.callId.slice(0, 8)}</code>
              {r.truncated && (
                <strong role="status" data-testid={`recording-truncated-${r.callId}`}>
                  {t('voice.truncated')}
                </strong>
              )}
              {r.pausedFor.length > 0 && (
                <span>{t('voice.pausedFor', { reasons: r.pausedFor.join(', ') })}</span>
              )}
              {r.class && r.class !== 'default' && <span>{t('retention.class', { name: r.class })}</span>}
              {mayDownload && (
                <a href={recordingUrl(r.callId)} download data-testid={`recording-download-${r.callId}`}>
                  {t('voice.download')}
                </a>
              )}
              <RecordingHoldActions
                row={r}
                onChange={() => {
                  holdsVersion.value++;
                  void load();
                }}
              />
            </li>
          ))}
        </ul>
      )}
      <ShowMore next={next.value} onMore={(c) => void more(c)} testid="recordings-more" />
      {can('recordings.hold') && (
        <LegalHoldsSection
          version={holdsVersion.value}
          onChange={() => {
            void load();
          }}
        />
      )}
      {can('system.manage') && <RetentionPolicyEditor />}
      {can('system.manage') && <BlockedSources />}
    </div>
  );
}
