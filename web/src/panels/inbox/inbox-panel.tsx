/**
 * The agent inbox: the working contacts of the signed-in agent across
 * channels, and the selected contact's conversation with its tools.
 *
 * Stable data-testids (tests and the docs rely on them; do not rename):
 * - inbox, inbox-contact-list, inbox-empty, inbox-contact-<contactId> (data-channel, data-state)
 * - conversation-view (data-contact-id, data-state), conv-state, conv-messages,
 *   conv-message (data-direction, data-channel, data-delivery), conv-message-text, conv-error
 * - timeline, timeline-entry (data-channel), timeline-entry-text, message-attachment
 * - composer (data-channel), composer-text, composer-send, composer-note,
 *   composer-email-subject, composer-email-thread
 * - wrapup-start, wrapup-box, wrapup-code, wrapup-finish, conv-closed (data-code)
 * - conv-side, kb-box, kb-query, kb-search, kb-hit (data-article-id), kb-insert
 * - from other panels, placed here: screenpop-card (crm), create-ticket, create-ticket-done,
 *   ticket-detail, ticket-move-<state>, ticket-field-<name>, ticket-error (tickets), consult-open (teamchat)
 * - on the agent desk around it (panels/agent): agent-desk, agent-state, offer-pop,
 *   offer-countdown, offer-accept, offer-reject, agent-no-offers
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, onEvent } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { type ContactRow, listMyContacts } from './api.ts';
import { ContactList } from './contact-list.tsx';
import { ConversationView } from './conversation-view.tsx';
import './inbox.css';

/** Contact events for this agent change the list; the gateway addresses them by recipientUserId. */
const LIST_ON = /^contact\.|^conversation\.message_received$/;

/**
 * The inbox. `focus` selects a contact from outside (the desk passes the one just accepted).
 * @example
 * <InboxPanel focus={acceptedContactId} />
 */
export function InboxPanel(props: { focus?: string | undefined }) {
  const contacts = useSignal<ContactRow[]>([]);
  const selected = useSignal<string | undefined>(undefined);
  const refresh = async () => {
    try {
      contacts.value = await listMyContacts(api);
      if (!selected.value && contacts.value.length === 1) selected.value = contacts.value[0]?.id;
    } catch {
      // the list is retried on the next event or poll
    }
  };
  useEffect(() => {
    void refresh();
    const off = onEvent(LIST_ON, () => void refresh());
    const poll = setInterval(() => void refresh(), 15_000);
    return () => {
      off();
      clearInterval(poll);
    };
  }, []);
  useEffect(() => {
    if (props.focus) {
      selected.value = props.focus;
      void refresh();
    }
  }, [props.focus]);

  return (
    <section class="inbox" data-testid="inbox">
      <ContactList
        contacts={contacts.value}
        selected={selected.value}
        onSelect={(id) => {
          selected.value = id;
        }}
      />
      {selected.value ? (
        <ConversationView contactId={selected.value} onChanged={() => void refresh()} />
      ) : (
        <p class="muted">{t('inbox.pick')}</p>
      )}
    </section>
  );
}
