import { t } from '../../i18n/index.ts';
import type { ContactRow } from './api.ts';
import { channelLabel } from './timeline.tsx';

/** The agent's working contacts across channels, newest activity first. */
export function ContactList(props: {
  contacts: ContactRow[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const rows = [...props.contacts].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return (
    <nav class="card stack inbox-list" data-testid="inbox-contact-list" aria-label={t('inbox.myContacts')}>
      <h3>{t('inbox.myContacts')}</h3>
      {rows.length === 0 ? (
        <p class="muted" data-testid="inbox-empty">
          {t('inbox.noContacts')}
        </p>
      ) : null}
      <ul>
        {rows.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              class={c.id === props.selected ? 'inbox-contact selected' : 'inbox-contact secondary'}
              aria-current={c.id === props.selected ? 'true' : undefined}
              data-testid={`inbox-contact-${c.id}`}
              data-channel={c.channel}
              data-state={c.state}
              onClick={() => props.onSelect(c.id)}
            >
              <span class={`tag inbox-ch-${c.channel}`}>{channelLabel(c.channel)}</span>{' '}
              {t(`inbox.state.${c.state}`)} · {c.updatedAt.slice(11, 16)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
