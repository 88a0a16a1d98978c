import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ApiError, CSRF_HEADER } from '../../data/api.ts';
import { errorText, type MessageKey, t } from '../../i18n/index.ts';
import { fetchHolds, type LegalHoldRow, placeHold, type RecordingRow, releaseHold } from './api.ts';

const codeOf = (e: unknown) => (e instanceof ApiError ? e.code : undefined);

/** POSTs the export (reason required) and saves the tar the server returns. */
async function downloadExport(callId: string, reason: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (api.csrfToken) headers[CSRF_HEADER] = api.csrfToken;
  const res = await fetch(`/api/voice/recordings/${encodeURIComponent(callId)}/export`, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: JSON.stringify({ reason }),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
    throw new ApiError(body?.error?.code ?? 'HTTP_INTERNAL', res.status);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `call-${callId}-export.tar`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A recording's legal-hold badge and, for those allowed, "Place legal hold" and
 * "Export" — each asks for a reason first (required, audited).
 */
export function RecordingHoldActions({ row, onChange }: { row: RecordingRow; onChange: () => void }) {
  const open = useSignal<'hold' | 'export' | undefined>(undefined);
  const reason = useSignal('');
  const caseRef = useSignal('');
  const error = useSignal<string | undefined>(undefined);
  const held = (row.holds ?? []).length > 0;
  const submit = async () => {
    try {
      if (open.value === 'hold') {
        const c = caseRef.value.trim();
        await placeHold(api, {
          kind: 'recording',
          targetId: row.callId,
          reason: reason.value,
          ...(c ? { caseRef: c } : {}),
        });
      } else await downloadExport(row.callId, reason.value);
      open.value = undefined;
      reason.value = '';
      caseRef.value = '';
      error.value = undefined;
      onChange();
    } catch (e) {
      error.value = errorText(codeOf(e));
    }
  };
  const id = row.callId;
  return (
    <>
      {held && (
        <strong class="tag" role="status" data-testid={`recording-held-${id}`} title={t('holds.badgeHint')}>
          {t('holds.badge')}
        </strong>
      )}
      {can('recordings.hold') && !held && (
        <button
          type="button"
          class="secondary"
          data-testid={`hold-${id}`}
          onClick={() => (open.value = 'hold')}
        >
          {t('holds.place')}
        </button>
      )}
      {can('recordings.export') && (
        <button
          type="button"
          class="secondary"
          data-testid={`export-${id}`}
          onClick={() => (open.value = 'export')}
        >
          {t('holds.export')}
        </button>
      )}
      {open.value && (
        <form
          class="row"
          data-testid={`hold-form-${id}`}
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label>
            {t(open.value === 'hold' ? 'holds.reason' : 'holds.exportReason')}
            <input
              required
              maxLength={500}
              data-testid={`hold-reason-${id}`}
              value={reason.value}
              onInput={(e) => (reason.value = (e.target as HTMLInputElement).value)}
            />
          </label>
          {open.value === 'hold' && (
            <label>
              {t('holds.caseRef')}
              <input
                maxLength={100}
                data-testid={`hold-case-${id}`}
                value={caseRef.value}
                onInput={(e) => (caseRef.value = (e.target as HTMLInputElement).value)}
              />
            </label>
          )}
          <button type="submit" data-testid={`hold-submit-${id}`}>
            {t(open.value === 'hold' ? 'holds.place' : 'holds.export')}
          </button>
          <button type="button" class="secondary" onClick={() => (open.value = undefined)}>
            {t('holds.cancel')}
          </button>
          {error.value && <p role="alert">{error.value}</p>}
        </form>
      )}
    </>
  );
}

/** Legal holds (active first), each with who placed it, why, and a release that asks for a reason. */
export function LegalHoldsSection({ version, onChange }: { version: number; onChange: () => void }) {
  const rows = useSignal<LegalHoldRow[]>([]);
  const releasing = useSignal<string | undefined>(undefined);
  const reason = useSignal('');
  const error = useSignal<string | undefined>(undefined);
  const kind = useSignal<LegalHoldRow['kind']>('customer');
  const target = useSignal('');
  const newReason = useSignal('');
  const load = async () => {
    try {
      const all = await fetchHolds(api);
      rows.value = [...all.filter((h) => h.status === 'active'), ...all.filter((h) => h.status !== 'active')];
      error.value = undefined;
    } catch (e) {
      error.value = errorText(codeOf(e));
    }
  };
  useEffect(() => {
    void load();
  }, [version]);
  const release = async (id: string) => {
    try {
      await releaseHold(api, id, reason.value);
      releasing.value = undefined;
      reason.value = '';
      await load();
      onChange();
    } catch (e) {
      error.value = errorText(codeOf(e));
    }
  };
  /** A hold on a customer or contact by id (recordings are held from their row). */
  const place = async () => {
    try {
      await placeHold(api, { kind: kind.value, targetId: target.value.trim(), reason: newReason.value });
      target.value = '';
      newReason.value = '';
      await load();
      onChange();
    } catch (e) {
      error.value = errorText(codeOf(e));
    }
  };
  return (
    <section class="stack" data-testid="legal-holds">
      <h2>{t('holds.title')}</h2>
      {error.value && <p role="alert">{error.value}</p>}
      <form
        class="row"
        data-testid="hold-by-id"
        onSubmit={(e) => {
          e.preventDefault();
          void place();
        }}
      >
        <label>
          {t('holds.kindLabel')}
          <select
            data-testid="hold-kind"
            value={kind.value}
            onChange={(e) => (kind.value = (e.target as HTMLSelectElement).value as LegalHoldRow['kind'])}
          >
            <option value="customer">{t('holds.kind.customer')}</option>
            <option value="contact">{t('holds.kind.contact')}</option>
            <option value="recording">{t('holds.kind.recording')}</option>
          </select>
        </label>
        <label>
          {t('holds.targetId')}
          <input
            required
            maxLength={80}
            data-testid="hold-target"
            value={target.value}
            onInput={(e) => (target.value = (e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('holds.reason')}
          <input
            required
            maxLength={500}
            data-testid="hold-by-id-reason"
            value={newReason.value}
            onInput={(e) => (newReason.value = (e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" data-testid="hold-by-id-submit">
          {t('holds.place')}
        </button>
      </form>
      {rows.value.length === 0 ? (
        <p data-testid="holds-empty">{t('holds.none')}</p>
      ) : (
        <ul class="stack" data-testid="holds-list">
          {rows.value.map((h) => (
            <li key={h.id} class="row" data-testid={`legal-hold-${h.id}`}>
              <strong>{t(`holds.status.${h.status}` as MessageKey)}</strong>
              <span>
                {t(`holds.kind.${h.kind}` as MessageKey)} <code>{h.targetId.slice(0, 8)}</code>
              </span>
              <span>{h.reason}</span>
              {h.caseRef && <span>{t('holds.caseRefShown', { ref: h.caseRef })}</span>}
              <span>
                {t('holds.placedBy', { user: h.createdBy, time: new Date(h.createdAt).toLocaleString() })}
              </span>
              {h.releaseReason && <span>{t('holds.releasedBecause', { reason: h.releaseReason })}</span>}
              {h.status === 'active' && releasing.value !== h.id && (
                <button
                  type="button"
                  data-testid={`release-hold-${h.id}`}
                  onClick={() => (releasing.value = h.id)}
                >
                  {t('holds.release')}
                </button>
              )}
              {releasing.value === h.id && (
                <form
                  class="row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void release(h.id);
                  }}
                >
                  <label>
                    {t('holds.releaseReason')}
                    <input
                      required
                      maxLength={500}
                      data-testid={`release-reason-${h.id}`}
                      value={reason.value}
                      onInput={(e) => (reason.value = (e.target as HTMLInputElement).value)}
                    />
                  </label>
                  <button type="submit" data-testid={`release-submit-${h.id}`}>
                    {t('holds.release')}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
