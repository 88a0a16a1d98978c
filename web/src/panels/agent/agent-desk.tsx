import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api, onEvent } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { lazyPanel } from '../../components/lazy-panel.tsx';
import { useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { workingContacts } from '../../data/contacts-store.ts';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import { InboxPanel } from '../inbox/inbox-panel.tsx';
import {
  type AgentState,
  acceptOffer,
  fetchMyState,
  type MyState,
  type Offer,
  rejectOffer,
  setMyState,
} from './api.ts';
import { OfferPop } from './offer-pop.tsx';
import { StateSelector } from './state-selector.tsx';

/** The browser phone (WebRTC) is fetched when a voice offer is accepted, not with the desk. */
const Softphone = lazyPanel(() => import('../../softphone/index.ts').then((m) => m.Softphone));

/** Event types that change what the desk shows; anything else on the socket is ignored. */
const REFRESH_ON = /^(routing\.offer_|agent\.state_changed)/;

/** The agent's desk: state selector, offer pops and the inbox, live over the shared console socket. */
export function AgentDeskPanel() {
  const mine = useSignal<MyState | undefined>(undefined);
  const notAgent = useSignal(false);
  /** The contact of the offer just accepted; the inbox opens it. */
  const focus = useSignal<string | undefined>(undefined);
  /** The accepted voice contact: its call is answered in the browser when the agent has no desk phone. */
  const call = useSignal<string | undefined>(undefined);
  /** What the live region last said (a new offer, a contact closed). */
  const announce = useSignal('');
  const heading = useRef<HTMLHeadingElement>(null);
  const action = useAction();

  const refresh = async () => {
    try {
      mine.value = await fetchMyState(api);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'ROUTING_NOT_AN_AGENT') notAgent.value = true;
    }
  };

  useEffect(() => {
    void refresh();
    // Offers are addressed events: the gateway sends them to this user's sockets only.
    const off = onEvent(REFRESH_ON, () => void refresh());
    const poll = setInterval(() => void refresh(), 15_000);
    return () => {
      clearInterval(poll);
      off();
    };
  }, []);

  const firstOffer = mine.value?.offers[0];
  useEffect(() => {
    if (!firstOffer) return;
    announce.value = t('agent.offerTitle', { channel: label('channel', firstOffer.task.channel) });
  }, [firstOffer?.offerId]);

  if (notAgent.value)
    return (
      <div class="stack" data-testid="agent-desk">
        <p data-testid="agent-no-profile">{t('agent.noProfile')}</p>
        {/* The appliance gives a first-time agent the default profile (every channel) on 'available'. */}
        <button
          type="button"
          class="btn"
          data-testid="agent-become-available"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              mine.value = await setMyState(api, 'available');
              notAgent.value = false;
            })
          }
        >
          {t('agent.becomeAvailable')}
        </button>
        <InboxPanel focus={undefined} />
      </div>
    );
  const s = mine.value;
  if (!s) return <p>{t('app.loading')}</p>;

  const change = (state: AgentState, reason?: string) =>
    void action.run(async () => {
      mine.value = await setMyState(api, state, reason);
    });
  const decide = (offer: Offer & { task: { channel: string } }, accept: boolean) =>
    void action.run(async () => {
      await (accept ? acceptOffer(api, offer.offerId) : rejectOffer(api, offer.offerId));
      // The task id is the contact id for contacts routed from conversations.
      if (accept) focus.value = offer.taskId;
      if (accept && offer.task.channel === 'voice') call.value = offer.taskId;
      await refresh();
    });

  const byId = new Map(workingContacts.value.map((d) => [d.id, d]));
  return (
    <div class="stack" data-testid="agent-desk">
      <h1 ref={heading} tabIndex={-1} data-testid="agent-desk-title">
        {t('nav.agentDesk')}
      </h1>
      <p class="visually-hidden" aria-live="assertive" data-testid="agent-announce">
        {announce.value}
      </p>
      <StateSelector
        state={s.state}
        reason={s.reason}
        reasonCodes={s.reasonCodes}
        busy={action.busy}
        onChange={change}
      />
      <ErrorText code={action.error} />
      {call.value ? (
        <section class="card stack" data-testid="agent-call">
          <h2>{t('agent.voiceCall')}</h2>
          <Softphone
            key={call.value}
            contactId={call.value}
            onEnded={() => {
              call.value = undefined;
            }}
          />
        </section>
      ) : null}
      {s.offers.length === 0 ? <p data-testid="agent-no-offers">{t('agent.noOffers')}</p> : null}
      {s.offers.map((o) => (
        <OfferPop
          key={o.offerId}
          offer={{
            ...o,
            channel: o.task.channel,
            queueId: o.task.queueId,
            attributes: o.task.attributes,
            ...(o.task.createdAt ? { waitingSince: o.task.createdAt } : {}),
            ...offerContact(byId.get(o.taskId)),
          }}
          busy={action.busy}
          onAccept={() => decide(o, true)}
          onReject={() => decide(o, false)}
        />
      ))}
      <InboxPanel
        focus={focus.value}
        ringing={s.offers.length > 0}
        onClosed={() => {
          // back to the desk: the heading, so the next Tab reaches the state and the next offer
          announce.value = t('agent.contactClosed');
          focus.value = undefined;
          heading.current?.focus();
        }}
      />
    </div>
  );
}

/** The name and opening words the appliance gave this agent's replica for the offered contact. */
function offerContact(doc: { customerName?: string; preview?: string } | undefined) {
  return {
    ...(doc?.customerName ? { customerName: doc.customerName } : {}),
    ...(doc?.preview ? { preview: doc.preview } : {}),
  };
}
