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
 * - on the agent desk around it (panels/agent): agent-desk, agent-desk-title, agent-announce, agent-state,
 *   offer-pop, offer-customer, offer-channel, offer-queue, offer-wait, offer-preview,
 *   offer-countdown, offer-accept, offer-reject, agent-no-offers
 * - composer-keys, wrapup-timer, create-ticket-dialog, create-ticket-subject, create-ticket-priority,
 *   create-ticket-department, create-ticket-field-<name>, create-ticket-confirm, create-ticket-cancel
 */
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import {
  contactsSync,
  ensureContactsReplica,
  reSyncContacts,
  workingContacts,
} from '../../data/contacts-store.ts';
import { t } from '../../i18n/index.ts';
import { ContactList } from './contact-list.tsx';
import { ConversationView } from './conversation-view.tsx';
import './inbox.css';

/**
 * The inbox. `focus` selects a contact from outside (the desk passes the one just accepted).
 * The list is the RxDB replica of the agent's contacts: it renders from IndexedDB at once
 * and catches up on socket events (see data/contacts-store.ts).
 * @example
 * <InboxPanel focus={acceptedContactId} />
 */
export function InboxPanel(props: {
  focus?: string | undefined;
  /** An offer rings: a contact that has left the working list (closed) is not shown behind it. */
  ringing?: boolean;
  /** The open contact was closed from its wrap-up form (the desk takes focus back). */
  onClosed?: () => void;
}) {
  const selected = useSignal<string | undefined>(undefined);
  const contacts = workingContacts.value;
  useEffect(() => {
    ensureContactsReplica();
  }, []);
  useEffect(() => {
    if (!selected.value && contacts.length === 1) selected.value = contacts[0]?.id;
  }, [contacts]);
  useEffect(() => {
    if (props.focus) {
      selected.value = props.focus;
      reSyncContacts();
    }
  }, [props.focus]);

  return (
    <section class="inbox" data-testid="inbox">
      <ContactList
        contacts={contacts}
        sync={contactsSync.value}
        selected={selected.value}
        onSelect={(id) => {
          selected.value = id;
        }}
      />
      {selected.value && !(props.ringing && !contacts.some((c) => c.id === selected.value)) ? (
        <ConversationView
          contactId={selected.value}
          focusReply={selected.value === props.focus}
          onChanged={reSyncContacts}
          onClosed={() => props.onClosed?.()}
        />
      ) : (
        <p class="muted">{t('inbox.pick')}</p>
      )}
    </section>
  );
}
