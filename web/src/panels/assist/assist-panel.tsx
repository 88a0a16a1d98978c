import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, me, onEvent } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { formatDate } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import { countUsage, fetchArticle } from '../knowledge/api.ts';
import { type AssistView, fetchAssist, mood, type Suggestion } from './api.ts';

function History(props: { history: AssistView['history'] }) {
  const h = props.history;
  if (!h.lastContacts.length && !h.openTickets.length && !h.orders.length)
    return <p class="muted">{t('assist.noHistory')}</p>;
  return (
    <div class="stack" data-testid="assist-history">
      {h.lastContacts.length ? (
        <p>
          {t('assist.lastContacts', { count: h.lastContacts.length })}:{' '}
          {h.lastContacts
            .map(
              (c) =>
                `${formatDate(c.createdAt)} ${c.intent ? label('intent', c.intent) : label('channel', c.channel)}`,
            )
            .join('，')}
        </p>
      ) : null}
      {h.openTickets.length ? (
        <p>
          {t('assist.openTickets')}: {h.openTickets.map((tk) => `${tk.number} ${tk.subject}`).join('; ')}
        </p>
      ) : null}
      {h.orders.length ? (
        <p>
          {t('assist.orders')}: {h.orders.map((o) => `${o.orderNo} (${o.status})`).join(', ')}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Beside a conversation: the customer's history, the recognised intent, the
 * mood trend and up to three suggested answers the agent can insert into the
 * composer. Refreshes when the appliance pushes `intelligence.assist_updated`
 * for this contact.
 */
export function AssistPanel(props: { contactId: string; onInsert: (text: string) => void }) {
  const view = useSignal<AssistView | undefined>(undefined);
  const action = useAction();
  const load = () =>
    fetchAssist(api, props.contactId).then(
      (v) => {
        view.value = v;
      },
      () => undefined,
    );

  useEffect(() => {
    view.value = undefined;
    void load();
    return onEvent('intelligence.assist_updated', (e) => {
      const to = e.data['recipientUserId'];
      if (e.data['contactId'] === props.contactId && (to === undefined || to === me.value?.user.id))
        void load();
    });
  }, [props.contactId]);

  const insert = (s: Suggestion) =>
    void action.run(async () => {
      const articleId = s.articleId;
      if (s.kind !== 'kb' || !articleId) return props.onInsert(s.text);
      // Suggestions carry a snippet; the reply gets the whole published answer.
      const body = await fetchArticle(api, articleId).then(
        (a) => a.version.body,
        () => s.text,
      );
      props.onInsert(body);
      await countUsage(api, articleId, 'used').catch(() => undefined);
    });

  const v = view.value;
  if (!v) return null;
  const trend = v.sentimentTrend;
  const last = trend.at(-1) ?? 0;
  return (
    <section class="card stack" data-testid="assist-panel" data-contact-id={v.contactId}>
      <h3>{t('assist.title')}</h3>
      {v.intent ? (
        <p data-testid="assist-intent" data-intent={v.intent.intent}>
          {t('assist.intent', { intent: label('intent', v.intent.intent), p: Math.round(v.intent.p * 100) })}
        </p>
      ) : (
        <p class="muted">{t('assist.noIntent')}</p>
      )}
      <p data-testid="assist-sentiment" data-mood={mood(last)} data-trend={trend.join(',')}>
        {t('assist.sentiment')}: {t(`assist.sentiment.${mood(last)}`)}
        {trend.length > 1 ? <span class="muted"> ({trend.map((s) => s.toFixed(1)).join(' → ')})</span> : null}
      </p>
      <h4>{t('assist.history')}</h4>
      <History history={v.history} />
      <h4>{t('assist.suggestions')}</h4>
      {v.suggestions.length === 0 ? <p class="muted">{t('assist.noSuggestions')}</p> : null}
      <ul class="inbox-kb-hits" data-testid="assist-suggestions">
        {v.suggestions.map((s, i) => (
          <li key={`${s.kind}-${s.articleId ?? i}`} data-testid="assist-suggestion" data-kind={s.kind}>
            <span class="muted">{t(`assist.kind.${s.kind}`)}</span> <strong>{s.title}</strong>
            <p class="muted" data-testid="assist-suggestion-text">
              {s.text}
            </p>
            <button
              type="button"
              data-testid="assist-insert"
              disabled={action.busy}
              onClick={() => insert(s)}
            >
              {t('assist.insert')}
            </button>
          </li>
        ))}
      </ul>
      <ErrorText code={action.error} testid="assist-error" />
    </section>
  );
}
