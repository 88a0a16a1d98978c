import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, onEvent } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { lazyPanel } from '../../components/lazy-panel.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { AssistPanel } from '../assist/assist-panel.tsx';
import { fetchScreenPop, type ScreenPopView } from '../crm/api.ts';
import { ScreenPopCard } from '../crm/screenpop-card.tsx';
import { ConsultButton } from '../teamchat/consult-button.tsx';
import { CreateTicketButton } from '../tickets/create-ticket-button.tsx';
import {
  addNote,
  type ContactRow,
  type Customer360,
  fetch360,
  getContact,
  type MessageRow,
  moveContact,
  sendReply,
} from './api.ts';
import { Composer } from './composer.tsx';
import { KbSearch } from './kb-search.tsx';
import { CustomerTimeline, channelLabel, MessageItem } from './timeline.tsx';
import { WrapUp } from './wrap-up.tsx';

/** A ticket made from the contact; its page (workflow diagram, audit fields) is fetched once one is opened. */
const TicketDetailView = lazyPanel(() =>
  import('../tickets/ticket-detail.tsx').then((m) => m.TicketDetailView),
);

/** Events that may change what this view shows. */
const RELOAD_ON = /^(conversation\.|contact\.|webchat\.)/;

/** One contact: its messages, the customer's cross-channel timeline, composer, wrap-up and the side tools. */
export function ConversationView(props: {
  contactId: string;
  onChanged: () => void;
  /** Just accepted: the reply box takes focus once it shows. */
  focusReply?: boolean;
  onClosed?: () => void;
}) {
  const contact = useSignal<ContactRow | undefined>(undefined);
  const messages = useSignal<MessageRow[]>([]);
  const c360 = useSignal<Customer360 | undefined>(undefined);
  const pop = useSignal<ScreenPopView | undefined>(undefined);
  const ticketId = useSignal<string | undefined>(undefined);
  const text = useSignal('');
  const action = useAction();

  const load = async () => {
    const r = await getContact(api, props.contactId);
    contact.value = r.contact;
    messages.value = r.messages;
    // The 360 and the screen pop are context: a failure there must not hide the conversation.
    fetch360(api, r.contact.customerId).then(
      (v) => {
        c360.value = v;
      },
      () => undefined,
    );
  };

  useEffect(() => {
    contact.value = undefined;
    messages.value = [];
    c360.value = undefined;
    pop.value = undefined;
    ticketId.value = undefined;
    text.value = '';
    void action.run(async () => {
      await load();
      const id = contact.value?.customerId;
      if (id) pop.value = await fetchScreenPop(api, id).catch(() => undefined);
    });
    const off = onEvent(RELOAD_ON, (e) => {
      const id = e.data['contactId'];
      if (id === undefined || id === props.contactId) void load().catch(() => undefined);
    });
    return off;
  }, [props.contactId]);

  const c = contact.value;
  if (!c) return <ErrorText code={action.error} />;
  const open = c.state === 'active' || c.state === 'wrap_up';
  const run = (work: () => Promise<unknown>) =>
    void action.run(async () => {
      await work();
      await load();
      props.onChanged();
    });
  const insert = (body: string) => {
    text.value = text.value.trim() ? `${text.value}\n${body}` : body;
  };
  const firstIn =
    messages.value.find((m) => m.direction === 'in')?.text ??
    (c.channel === 'voice' ? t('inbox.incomingCall') : undefined);
  // A call opens its contact with no message (issue 14): the thread shows the call itself.
  const callOnly = c.channel === 'voice' && !messages.value.some((m) => m.contactId === c.id);

  return (
    <div class="inbox-conv" data-testid="conversation-view" data-contact-id={c.id} data-state={c.state}>
      <div class="stack inbox-main">
        <header class="row">
          <h2>
            {channelLabel(c.channel)} · <span data-testid="conv-state">{t(`inbox.state.${c.state}`)}</span>
          </h2>
        </header>
        <section class="card stack">
          <h3>{t('inbox.conversation')}</h3>
          <ol class="inbox-thread" data-testid="conv-messages">
            {callOnly ? (
              <li class="muted" data-testid="conv-call-event">
                {t('inbox.incomingCall')} · {c.createdAt.slice(11, 16)}
              </li>
            ) : null}
            {messages.value.map((m) => (
              <MessageItem key={m.id} m={m} testid="conv-message" />
            ))}
          </ol>
        </section>
        {open ? (
          <Composer
            autoFocus={props.focusReply === true}
            channel={c.channel}
            messages={messages.value}
            text={text}
            busy={action.busy}
            canReply={open}
            onSend={() =>
              run(async () => {
                await sendReply(api, c.id, text.value);
                text.value = '';
              })
            }
            onNote={() =>
              run(async () => {
                await addNote(api, c.id, text.value);
                text.value = '';
              })
            }
          />
        ) : null}
        <ErrorText code={action.error} testid="conv-error" />
        <WrapUp
          contact={c}
          busy={action.busy}
          onWrapUp={() => run(() => moveContact(api, c.id, 'wrap_up'))}
          onFinish={(code) =>
            void action.run(async () => {
              await moveContact(api, c.id, 'closed', code);
              await load();
              props.onChanged();
              props.onClosed?.();
            })
          }
        />
        {ticketId.value ? (
          <TicketDetailView
            id={ticketId.value}
            onBack={() => {
              ticketId.value = undefined;
            }}
          />
        ) : null}
        <CustomerTimeline entries={c360.value?.timeline ?? []} contactId={c.id} />
      </div>
      <aside class="stack inbox-side" data-testid="conv-side">
        <h3>{t('inbox.screenPop')}</h3>
        {pop.value ? <ScreenPopCard pop={pop.value} /> : null}
        <CreateTicketButton
          contactId={c.id}
          {...(firstIn ? { subject: firstIn } : {})}
          description={messages.value
            .filter((m) => m.direction !== 'internal')
            .map((m) => `${m.direction === 'in' ? '>' : '<'} ${m.text}`)
            .join('\n')
            .slice(0, 4000)}
          onCreated={(tk) => {
            ticketId.value = tk.id;
          }}
        />
        <ConsultButton contactId={c.id} />
        {open ? <AssistPanel contactId={c.id} onInsert={insert} /> : null}
        <KbSearch onInsert={insert} />
      </aside>
    </div>
  );
}
