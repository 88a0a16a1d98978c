import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { type MessageKey, t } from '../../i18n/index.ts';
import { type BackfillView, fetchBackfill, startBackfill } from './api.ts';

const POLL_MS = 2000;

const STATUS: Record<BackfillView['status'], MessageKey> = {
  none: 'tp.backfillNone',
  running: 'tp.backfillRunning',
  done: 'tp.backfillDone',
  failed: 'tp.backfillFailed',
};

/** Admin-only: counts messages and ticket subjects from before topic mining began, with progress. */
export function BackfillCard() {
  const state = useSignal<BackfillView | undefined>(undefined);
  const action = useAction();
  useEffect(() => {
    void action.run(async () => {
      state.value = await fetchBackfill(api);
    });
  }, []);
  const running = state.value?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      // A failed poll is left to the next one: the run itself goes on server-side.
      void fetchBackfill(api).then(
        (s) => {
          state.value = s;
        },
        () => undefined,
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running]);
  const s = state.value;
  return (
    <section class="tp-backfill" data-testid="tp-backfill">
      <button
        type="button"
        data-testid="tp-backfill-start"
        disabled={running || action.busy}
        onClick={() =>
          void action.run(async () => {
            state.value = await startBackfill(api);
          })
        }
      >
        {t('tp.backfill')}
      </button>
      {s ? (
        <span
          class="tp-note"
          data-testid="tp-backfill-status"
          data-status={s.status}
          data-run-id={s.runId ?? ''}
        >
          {t(STATUS[s.status])}
          {s.status === 'none'
            ? null
            : ` · ${t('tp.backfillCounts', { counted: s.counted ?? 0, skipped: s.skipped ?? 0 })}`}
        </span>
      ) : null}
      <ErrorText code={action.error} testid="tp-backfill-error" />
    </section>
  );
}
