import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ApiError } from '../../data/api.ts';
import { errorText, type MessageKey, t } from '../../i18n/index.ts';
import { type BlockedSource, fetchBlockedSources, releaseSource } from './api.ts';

/**
 * SIP source addresses the appliance blocks now (a REGISTER brute force, a flood),
 * with why and until when, and a release button (admins; the release is audited).
 */
export function BlockedSources() {
  const rows = useSignal<BlockedSource[]>([]);
  const error = useSignal<string | undefined>(undefined);
  const load = async () => {
    try {
      rows.value = await fetchBlockedSources(api);
      error.value = undefined;
    } catch (e) {
      error.value = errorText(e instanceof ApiError ? e.code : undefined);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const release = async (source: string) => {
    try {
      await releaseSource(api, source);
    } catch (e) {
      error.value = errorText(e instanceof ApiError ? e.code : undefined);
    }
    await load();
  };
  return (
    <section class="stack" data-testid="blocked-sources">
      <div class="row">
        <h2>{t('voice.blocked')}</h2>
        <button type="button" class="secondary" data-testid="blocked-refresh" onClick={() => void load()}>
          {t('voice.refresh')}
        </button>
      </div>
      {error.value && <p role="alert">{error.value}</p>}
      {rows.value.length === 0 ? (
        <p data-testid="blocked-empty">{t('voice.noBlocked')}</p>
      ) : (
        <ul class="stack" data-testid="blocked-list">
          {rows.value.map((b) => (
            <li key={b.source} class="row" data-testid={`blocked-${b.source}`}>
              <code>{b.source}</code>
              <span>{t(`voice.blockReason.${b.reason}` as MessageKey)}</span>
              <span>{t('voice.blockedUntil', { time: new Date(b.until).toLocaleTimeString() })}</span>
              <button
                type="button"
                data-testid={`release-${b.source}`}
                onClick={() => void release(b.source)}
              >
                {t('voice.release')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
