import { t } from '../../i18n/index.ts';
import type { SrtpPolicy } from './api.ts';

const POLICIES: readonly SrtpPolicy[] = ['required', 'optional', 'off'];

/** Media encryption of a phone or trunk: SDES-SRTP keys travel only over SIP TLS. */
export function SrtpSelect(props: { testId: string; value: SrtpPolicy; onChange: (p: SrtpPolicy) => void }) {
  return (
    <label class="stack">
      {t('srtp.label')}
      <select
        data-testid={props.testId}
        value={props.value}
        title={t('srtp.hint')}
        onChange={(e) => props.onChange(e.currentTarget.value as SrtpPolicy)}
      >
        {POLICIES.map((p) => (
          <option key={p} value={p}>
            {t(`srtp.${p}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
