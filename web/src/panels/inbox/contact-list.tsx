import type { ContactDoc, SyncStatus } from '../../data/contacts-store.ts';
import { t } from '../../i18n/index.ts';
import type { Channel, ContactState } from './api.ts';
import { channelLabel } from './timeline.tsx';

/**
 * The agent's working contacts across channels, newest activity first, as held
 * in the RxDB replica (data/contacts-store.ts); `sync` shows whether the rows
 * may be behind the appliance.
 */
export function ContactList(props: {
  contacts: ContactDoc[];
  sync: SyncStatus;
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const rows = [...props.contacts].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return (
    <nav class="card stack inbox-list" data-testid="inbox-contact-list" aria-label={t('inbox.myContacts')}>
      <h3>
        {t('inbox.myContacts')}{' '}
        {props.sync === 'offline' || props.sync === 'syncing' ? (
          <span class={`tag inbox-sync-${props.sync}`} data-testid="inbox-sync" data-sync={props.sync}>
            {t(props.sync === 'offline' ? 'inbox.sync.offline' : 'inbox.sync.syncing')}
          </span>
        ) : null}
      </h3>
      {rows.length === 0 && props.sync !== 'loading' ? (
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
              <span class={`tag inbox-ch-${c.channel}`}>{channelLabel(c.channel as Channel)}</span>{' '}
              {c.customerName ? <strong>{c.customerName}</strong> : null}{' '}
              {t(`inbox.state.${c.state as ContactState}`)} · {c.updatedAt.slice(11, 16)}
              {c.preview ? (
                <span class="muted inbox-preview">{c.preview}</span>
              ) : c.channel === 'voice' ? (
                // A call has no first message (issue 14): what was said arrives as transcripts.
                <span class="muted inbox-preview">{t('inbox.incomingCall')}</span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
