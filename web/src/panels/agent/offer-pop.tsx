import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import { clock, type Offer, secondsLeft } from './api.ts';

/** True while the agent is typing somewhere: an offer must not take the caret from a half-written reply. */
export function typingElsewhere(): boolean {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit'].includes(el.type);
}

/**
 * One offer: who (name as the appliance masks it for this role), channel, queue
 * name, how long the customer has waited and what they wrote first, with a live
 * countdown; the server times it out (RONA) whatever the clock here says.
 * It takes keyboard focus (Accept) when it appears, unless the agent is typing.
 */
export function OfferPop(props: { offer: Offer; busy: boolean; onAccept: () => void; onReject: () => void }) {
  const now = useSignal(Date.now());
  const accept = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const timer = setInterval(() => {
      now.value = Date.now();
    }, 250);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (!typingElsewhere()) accept.current?.focus();
  }, [props.offer.offerId]);
  const o = props.offer;
  const left = secondsLeft(o.expiresAt, now.value);
  const id = `offer-${o.offerId}`;
  return (
    <section
      class="card stack offer-pop"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-facts`}
      data-testid="offer-pop"
      data-offer-id={o.offerId}
    >
      <h2 id={`${id}-title`}>
        {t('agent.offerTitle', { channel: o.channel ? label('channel', o.channel) : '' })}
      </h2>
      <dl class="offer-facts" id={`${id}-facts`}>
        <dt>{t('agent.offerCustomer')}</dt>
        <dd data-testid="offer-customer">{o.customerName ?? t('agent.offerCustomerUnknown')}</dd>
        {o.channel ? (
          <>
            <dt>{t('agent.offerChannel')}</dt>
            <dd data-testid="offer-channel">{label('channel', o.channel)}</dd>
          </>
        ) : null}
        {o.queueId ? (
          <>
            <dt>{t('agent.offerQueueLabel')}</dt>
            <dd data-testid="offer-queue">{o.queueName ?? o.queueId}</dd>
          </>
        ) : null}
        {o.waitingSince ? (
          <>
            <dt>{t('agent.offerWaited')}</dt>
            <dd data-testid="offer-wait">{clock((now.value - o.waitingSince) / 1000)}</dd>
          </>
        ) : null}
      </dl>
      {o.preview ? (
        <blockquote class="offer-preview" data-testid="offer-preview">
          {o.preview}
        </blockquote>
      ) : null}
      <p data-testid="offer-countdown">{t('agent.offerCountdown', { seconds: String(left) })}</p>
      <div class="row">
        <button
          ref={accept}
          type="button"
          data-testid="offer-accept"
          disabled={props.busy || left === 0}
          onClick={props.onAccept}
        >
          {t('agent.accept')}
        </button>
        <button
          type="button"
          class="secondary"
          data-testid="offer-reject"
          disabled={props.busy || left === 0}
          onClick={props.onReject}
        >
          {t('agent.reject')}
        </button>
      </div>
    </section>
  );
}
