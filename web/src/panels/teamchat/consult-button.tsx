import { useSignal } from '@preact/signals';
import { api, navigate } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { fetchPeople, type Person, startConsult } from './api.ts';

/**
 * "Ask an expert" for a live contact: pick a colleague, write the question,
 * and a consult thread linked to the contact opens in team chat.
 * @example
 * <ConsultButton contactId={contact.id} />
 */
export function ConsultButton(props: { contactId: string }) {
  const open = useSignal(false);
  const people = useSignal<Person[]>([]);
  const expert = useSignal('');
  const topic = useSignal('');
  const action = useAction();
  const toggle = () => {
    open.value = !open.value;
    if (open.value) {
      void action.run(async () => {
        people.value = await fetchPeople(api);
      });
    }
  };
  const start = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await startConsult(api, {
        contactId: props.contactId,
        expertUserId: expert.value,
        topic: topic.value.trim(),
      });
      open.value = false;
      navigate('teamchat');
    });
  };
  return (
    <div class="stack">
      <button type="button" data-testid="consult-open" onClick={toggle}>
        {t('chat.consult')}
      </button>
      {open.value && (
        <form class="card stack" data-testid="consult-form" onSubmit={start}>
          <label>
            {t('chat.consultExpert')}
            <select
              data-testid="consult-expert"
              required
              value={expert.value}
              onChange={(e) => {
                expert.value = e.currentTarget.value;
              }}
            >
              <option value="" />
              {people.value.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName} ({t(`chat.presence.${p.presence}`)})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('chat.consultTopic')}
            <textarea
              data-testid="consult-topic"
              required
              maxLength={4000}
              value={topic.value}
              onInput={(e) => {
                topic.value = e.currentTarget.value;
              }}
            />
          </label>
          <button type="submit" data-testid="consult-start" disabled={action.busy}>
            {t('chat.consultStart')}
          </button>
          <ErrorText code={action.error} testid="consult-error" />
        </form>
      )}
    </div>
  );
}
