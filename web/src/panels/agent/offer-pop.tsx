import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import { type Offer, secondsLeft } from './api.ts';

/** One offer with a live countdown; the server times it out (RONA) whatever the clock here says. */
export function OfferPop(props: { offer: Offer; busy: boolean; onAccept: () => void; onReject: () => void }) {
  const left = useSignal(secondsLeft(props.offer.expiresAt));
  useEffect(() => {
    const timer = setInterval(() => {
      left.value = secondsLeft(props.offer.expiresAt);
    }, 250);
    return () => clearInterval(timer);
  }, [props.offer.expiresAt]);
  const attrs = Object.entries(props.offer.attributes ?? {});
  return (
    <section
      class="card stack offer-pop"
      role="alertdialog"
      aria-live="assertive"
      data-testid="offer-pop"
      data-offer-id={props.offer.offerId}
    >
      <h2>
        {t('agent.offerTitle', { channel: props.offer.channel ? label('channel', props.offer.channel) : '' })}
      </h2>
      <p data-testid="offer-countdown">{t('agent.offerCountdown', { seconds: String(left.value) })}</p>
      {props.offer.queueId ? <p>{t('agent.offerQueue', { queue: props.offer.queueId })}</p> : null}
      {attrs.length > 0 ? (
        <dl>
          {attrs.map(([k, v]) => (
            <div key={k} class="row">
              <dt>{k}</dt>
              <dd>{String(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <div class="row">
        <button
          type="button"
          data-testid="offer-accept"
          disabled={props.busy || left.value === 0}
          onClick={props.onAccept}
        >
          {t('agent.accept')}
        </button>
        <button
          type="button"
          class="secondary"
          data-testid="offer-reject"
          disabled={props.busy || left.value === 0}
          onClick={props.onReject}
        >
          {t('agent.reject')}
        </button>
      </div>
    </section>
  );
}
