import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';
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

/** Event types that change what the desk shows; anything else on the socket is ignored. */
const REFRESH_ON = /^(routing\.offer_|agent\.state_changed)/;

/** The agent's desk: state selector and offer pops, live over the console WebSocket. */
export function AgentDeskPanel() {
  const mine = useSignal<MyState | undefined>(undefined);
  const notAgent = useSignal(false);
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
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
    ws.onmessage = (m) => {
      try {
        const msg = JSON.parse(String(m.data)) as { type: string; event?: { type: string } };
        if (msg.event && REFRESH_ON.test(msg.event.type)) void refresh();
      } catch {
        // not ours to parse
      }
    };
    const poll = setInterval(() => void refresh(), 15_000);
    return () => {
      clearInterval(poll);
      ws.close();
    };
  }, []);

  if (notAgent.value) return <p data-testid="agent-no-profile">{t('agent.noProfile')}</p>;
  const s = mine.value;
  if (!s) return <p>{t('app.loading')}</p>;

  const change = (state: AgentState, reason?: string) =>
    void action.run(async () => {
      mine.value = await setMyState(api, state, reason);
    });
  const decide = (offer: Offer, accept: boolean) =>
    void action.run(async () => {
      await (accept ? acceptOffer(api, offer.offerId) : rejectOffer(api, offer.offerId));
      await refresh();
    });

  return (
    <div class="stack" data-testid="agent-desk">
      <h1>{t('nav.agentDesk')}</h1>
      <StateSelector
        state={s.state}
        reason={s.reason}
        reasonCodes={s.reasonCodes}
        busy={action.busy}
        onChange={change}
      />
      <ErrorText code={action.error} />
      {s.offers.length === 0 ? <p data-testid="agent-no-offers">{t('agent.noOffers')}</p> : null}
      {s.offers.map((o) => (
        <OfferPop
          key={o.offerId}
          offer={{ ...o, channel: o.task.channel, queueId: o.task.queueId, attributes: o.task.attributes }}
          busy={action.busy}
          onAccept={() => decide(o, true)}
          onReject={() => decide(o, false)}
        />
      ))}
    </div>
  );
}
