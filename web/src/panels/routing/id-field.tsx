import { t } from '../../i18n/index.ts';

/** The short id (letters, digits, `_ . -`) a new item is stored under; fixed once saved. */
export function IdField(props: { value: string; locked: boolean; onInput: (v: string) => void }) {
  return (
    <label>
      {t('routing.id')}
      <input
        data-testid="routing-form-id"
        required
        pattern="[A-Za-z0-9_.\-]{1,64}"
        title={t('routing.idHint')}
        disabled={props.locked}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <small class="muted">{t('routing.idHint')}</small>
    </label>
  );
}
