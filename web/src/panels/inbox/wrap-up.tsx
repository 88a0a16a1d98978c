import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { MessageKey } from '../../i18n/index.ts';
import { t } from '../../i18n/index.ts';
import { clock } from '../agent/api.ts';
import { type ContactRow, WRAP_UP_CODES } from './api.ts';

const codeLabel = (code: string | undefined) =>
  code && (WRAP_UP_CODES as readonly string[]).includes(code)
    ? t(`inbox.wrap.${code}` as MessageKey)
    : (code ?? '-');

/** The after-call work form: a timer since wrap-up began, the code, finish. Takes focus when it shows. */
function WrapUpForm(props: { since: number; busy: boolean; onFinish: (code: string) => void }) {
  const code = useSignal<string>(WRAP_UP_CODES[0]);
  const now = useSignal(Date.now());
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    select.current?.focus();
    const timer = setInterval(() => {
      now.value = Date.now();
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section class="card stack wrapup" data-testid="wrapup-box" aria-labelledby="wrapup-title">
      <h3 id="wrapup-title">{t('inbox.afterCallWork')}</h3>
      <p role="timer" data-testid="wrapup-timer">
        {t('inbox.wrapUpElapsed', { time: clock((now.value - props.since) / 1000) })}
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          props.onFinish(code.value);
        }}
      >
        <label>
          {t('inbox.wrapUpCode')}
          <select
            ref={select}
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
        <button type="submit" data-testid="wrapup-finish" disabled={props.busy}>
          {t('inbox.finish')}
        </button>
      </form>
    </section>
  );
}

/** active → wrap_up (after-call work, timed), then closed with a wrap-up code. */
export function WrapUp(props: {
  contact: ContactRow;
  busy: boolean;
  onWrapUp: () => void;
  onFinish: (code: string) => void;
}) {
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
  const since = Date.parse(c.timeline?.wrap_up ?? c.updatedAt);
  return (
    <WrapUpForm
      since={Number.isNaN(since) ? Date.now() : since}
      busy={props.busy}
      onFinish={props.onFinish}
    />
  );
}
