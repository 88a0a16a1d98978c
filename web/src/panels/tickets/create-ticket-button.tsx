import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { createFromContact } from './api.ts';
import { type Failure, failureOf, RefusalText } from './refusal.tsx';

/**
 * For the inbox: turns the live contact into a ticket (customer, conversation
 * and language are filled in by the appliance).
 * @example
 * <CreateTicketButton contactId={contact.id} subject={firstMessage} onCreated={(t) => open(t.id)} />
 */
export function CreateTicketButton(props: {
  contactId: string;
  subject?: string;
  description?: string;
  onCreated?: (ticket: { id: string; number: string }) => void;
}) {
  const busy = useSignal(false);
  const created = useSignal<string | undefined>(undefined);
  const failure = useSignal<Failure | undefined>(undefined);
  const click = async () => {
    busy.value = true;
    failure.value = undefined;
    try {
      const ticket = await createFromContact(
        api,
        props.contactId,
        props.subject?.slice(0, 300) || props.contactId,
        props.description ?? '',
      );
      created.value = ticket.number;
      props.onCreated?.(ticket);
    } catch (e) {
      failure.value = failureOf(e);
    } finally {
      busy.value = false;
    }
  };
  return (
    <span class="create-ticket">
      <button type="button" data-testid="create-ticket" disabled={busy.value} onClick={() => void click()}>
        {t('tickets.create')}
      </button>
      {created.value && (
        <span data-testid="create-ticket-done">{t('tickets.created', { number: created.value })}</span>
      )}
      <RefusalText failure={failure.value} />
    </span>
  );
}
