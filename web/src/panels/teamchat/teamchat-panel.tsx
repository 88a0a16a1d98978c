import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, me } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import {
  type Channel,
  type ChatMessage,
  createGroup,
  fetchChannels,
  fetchMessages,
  fetchPeople,
  heartbeat,
  markRead,
  openDirect,
  type Person,
  postMessage,
} from './api.ts';

/** How often the page refreshes channels and the open thread (the gateway push only says "something changed"). */
const POLL_MS = 4000;

/** Team chat: channels with unread counts, people with presence, the thread and a composer. */
export function TeamChatPanel() {
  const channels = useSignal<Channel[]>([]);
  const people = useSignal<Person[]>([]);
  const current = useSignal<Channel | undefined>(undefined);
  const messages = useSignal<ChatMessage[]>([]);
  const draft = useSignal('');
  const groupName = useSignal('');
  const action = useAction();
  const myId = me.value?.user.id;

  const nameOf = (id: string) => people.value.find((p) => p.id === id)?.displayName ?? id;
  const label = (c: Channel) =>
    c.kind === 'direct'
      ? nameOf(c.memberIds.find((id) => id !== myId) ?? '')
      : c.kind === 'consult'
        ? t('chat.consultFor', { id: c.contactId ?? '' })
        : (c.name ?? c.id);

  const refresh = async () => {
    channels.value = await fetchChannels(api);
    people.value = await fetchPeople(api);
    const open = current.value;
    if (open) {
      messages.value = await fetchMessages(api, open.id);
      const last = messages.value[messages.value.length - 1];
      if (last) await markRead(api, open.id, last.seq);
    }
  };
  useEffect(() => {
    void action.run(async () => {
      await heartbeat(api, 'online');
      await refresh();
    });
    const timer = setInterval(() => {
      void heartbeat(api, document.hidden ? 'away' : 'online').catch(() => undefined);
      void refresh().catch(() => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const select = (c: Channel) =>
    void action.run(async () => {
      current.value = c;
      await refresh();
    });
  const send = (e: Event) => {
    e.preventDefault();
    const open = current.value;
    if (!open || draft.value.trim() === '') return;
    void action.run(async () => {
      await postMessage(api, open.id, draft.value);
      draft.value = '';
      await refresh();
    });
  };
  const mention = (p: Person) => {
    draft.value = `${draft.value}@${p.username} `;
  };

  return (
    <section class="row" data-testid="teamchat-panel">
      <h1 class="visually-hidden">{t('nav.teamchat')}</h1>
      <aside class="card stack">
        <h2>{t('chat.channels')}</h2>
        <ul data-testid="chat-channels">
          {channels.value.map((c) => (
            <li key={c.id}>
              <button type="button" data-testid={`chat-channel-${c.id}`} onClick={() => select(c)}>
                {label(c)}
              </button>
              {(c.unread ?? 0) > 0 && (
                <span class="tag" data-testid={`chat-unread-${c.id}`}>
                  {t('chat.unread', { n: c.unread ?? 0 })}
                </span>
              )}
            </li>
          ))}
        </ul>
        <h2>{t('chat.people')}</h2>
        <ul data-testid="chat-people">
          {people.value
            .filter((p) => p.id !== myId)
            .map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  data-testid={`chat-person-${p.username}`}
                  onClick={() => void action.run(async () => select(await openDirect(api, p.id)))}
                >
                  {p.displayName}
                </button>{' '}
                <span class="tag" data-presence={p.presence}>
                  {t(`chat.presence.${p.presence}`)}
                </span>
              </li>
            ))}
        </ul>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const ids = people.value.filter((p) => p.id !== myId).map((p) => p.id);
              await select(await createGroup(api, groupName.value.trim(), ids));
              groupName.value = '';
            });
          }}
        >
          <input
            data-testid="chat-group-name"
            aria-label={t('chat.groupName')}
            placeholder={t('chat.newGroup')}
            required
            maxLength={100}
            value={groupName.value}
            onInput={(e) => {
              groupName.value = e.currentTarget.value;
            }}
          />
          <button type="submit" data-testid="chat-group-create">
            {t('chat.create')}
          </button>
        </form>
      </aside>
      <div class="card stack">
        {!current.value && <p class="muted">{t('chat.pick')}</p>}
        {current.value && (
          <>
            <h2 data-testid="chat-title">{label(current.value)}</h2>
            {current.value.contactLink && (
              <a href={current.value.contactLink} data-testid="chat-contact-link">
                {t('chat.openContact')}
              </a>
            )}
            <ol class="stack" data-testid="chat-messages">
              {messages.value.map((m) => (
                <li
                  key={m.id}
                  data-testid={`chat-message-${m.seq}`}
                  class={m.mentions.includes(myId ?? '') ? 'tag' : ''}
                >
                  <strong>{nameOf(m.authorId)}</strong> <span class="muted">{m.createdAt.slice(11, 16)}</span>
                  <div>{m.body}</div>
                </li>
              ))}
            </ol>
            <form class="stack" onSubmit={send}>
              <textarea
                data-testid="chat-compose"
                aria-label={t('chat.compose')}
                placeholder={t('chat.compose')}
                maxLength={8000}
                value={draft.value}
                onInput={(e) => {
                  draft.value = e.currentTarget.value;
                }}
              />
              <div class="row">
                {people.value
                  .filter((p) => current.value?.memberIds.includes(p.id) && p.id !== myId)
                  .map((p) => (
                    <button
                      type="button"
                      key={p.id}
                      data-testid={`chat-mention-${p.username}`}
                      onClick={() => mention(p)}
                    >
                      @{p.username}
                    </button>
                  ))}
                <button type="submit" data-testid="chat-send" disabled={action.busy}>
                  {t('chat.send')}
                </button>
              </div>
            </form>
          </>
        )}
        <ErrorText code={action.error} testid="chat-error" />
      </div>
    </section>
  );
}
