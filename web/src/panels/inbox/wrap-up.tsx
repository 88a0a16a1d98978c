import { useSignal } from '@preact/signals';
import type { MessageKey } from '../../i18n/index.ts';
import { t } from '../../i18n/index.ts';
import { type ContactRow, WRAP_UP_CODES } from './api.ts';

const codeLabel = (code: string | undefined) =>
  code && (WRAP_UP_CODES as readonly string[]).includes(code)
    ? t(`inbox.wrap.${code}` as MessageKey)
    : (code ?? '-');

/** active → wrap_up (the agent stops talking), then closed with a wrap-up code. */
export function WrapUp(props: {
  contact: ContactRow;
  busy: boolean;
  onWrapUp: () => void;
  onFinish: (code: string) => void;
}) {
  const code = useSignal<string>(WRAP_UP_CODES[0]);
  const c = props.contact;
  if (c.state === 'closed' || c.state === 'abandoned') {
    return (
      <p data-testid="conv-closed" data-code={c.wrapUpCode ?? ''}>
        {t('inbox.closedWith', { code: codeLabel(c.wrapUpCode) })}
      </p>
    );
  }
  if (c.state === 'active') {
    return (
      <button type="button" data-testid="wrapup-start" disabled={props.busy} onClick={props.onWrapUp}>
        {t('inbox.wrapUp')}
      </button>
    );
  }
  if (c.state !== 'wrap_up') return null;
  return (
    <div class="row" data-testid="wrapup-box">
      <label>
        {t('inbox.wrapUpCode')}
        <select
          data-testid="wrapup-code"
          value={code.value}
          onChange={(e) => {
            code.value = e.currentTarget.value;
          }}
        >
          {WRAP_UP_CODES.map((w) => (
            <option key={w} value={w}>
              {t(`inbox.wrap.${w}`)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        data-testid="wrapup-finish"
        disabled={props.busy}
        onClick={() => props.onFinish(code.value)}
      >
        {t('inbox.finish')}
      </button>
    </div>
  );
}
