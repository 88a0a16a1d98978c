import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import { saveReasonCodes } from './api.ts';
import { SaveError, useSave } from './save-error.tsx';

/** Not-ready reasons agents may choose: added and removed as rows ('rona' is the system's own). */
export function ReasonCodesForm(props: { codes: string[]; onSaved: () => void }) {
  const codes = useSignal([...props.codes]);
  const fresh = useSignal('');
  const save = useSave();
  const submit = (e: Event) => {
    e.preventDefault();
    void save.run(() => saveReasonCodes(api, codes.value)).then((ok) => ok && props.onSaved());
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid="routing-form-reasons">
      <ul class="stack" data-testid="reason-codes">
        {codes.value.map((c) => (
          <li key={c} class="row">
            <span>{label('reason', c)}</span>
            <button
              type="button"
              class="secondary"
              data-testid={`reason-remove-${c}`}
              onClick={() => (codes.value = codes.value.filter((x) => x !== c))}
            >
              {t('common.delete')}
            </button>
          </li>
        ))}
      </ul>
      <span class="row">
        <input
          data-testid="reason-new"
          aria-label={t('routing.reasonCode')}
          pattern="[a-z_]{1,32}"
          title={t('routing.reasonHint')}
          value={fresh.value}
          onInput={(e) => (fresh.value = e.currentTarget.value)}
        />
        <button
          type="button"
          class="secondary"
          data-testid="reason-add"
          disabled={!/^[a-z_]{1,32}$/.test(fresh.value)}
          onClick={() => {
            codes.value = [...new Set([...codes.value, fresh.value])];
            fresh.value = '';
          }}
        >
          {t('routing.addReason')}
        </button>
      </span>
      <small class="muted">{t('routing.reasonHint')}</small>
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy || codes.value.length === 0}>
        {t('common.save')}
      </button>
    </form>
  );
}
