import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { countUsage, fetchArticle, type KbHit, searchKb } from '../knowledge/api.ts';

/** Knowledge-base search beside the conversation; "insert" hands the article body to the composer. */
export function KbSearch(props: { onInsert: (text: string) => void }) {
  const q = useSignal('');
  const hits = useSignal<KbHit[] | undefined>(undefined);
  const action = useAction();
  const search = (e: Event) => {
    e.preventDefault();
    if (!q.value.trim()) return;
    void action.run(async () => {
      hits.value = await searchKb(api, q.value.trim());
    });
  };
  const insert = (hit: KbHit) =>
    void action.run(async () => {
      const view = await fetchArticle(api, hit.articleId);
      props.onInsert(view.version.body);
      // Usage feeds the "used in reply" count; losing it must not block the reply.
      await countUsage(api, hit.articleId, 'used').catch(() => undefined);
    });
  return (
    <section class="card stack" data-testid="kb-box">
      <form class="row" onSubmit={search}>
        <input
          type="search"
          data-testid="kb-query"
          aria-label={t('inbox.kbSearch')}
          placeholder={t('inbox.kbSearch')}
          value={q.value}
          onInput={(e) => {
            q.value = e.currentTarget.value;
          }}
        />
        <button type="submit" data-testid="kb-search" disabled={action.busy}>
          {t('inbox.kbGo')}
        </button>
      </form>
      <ErrorText code={action.error} />
      {hits.value?.length === 0 ? <p class="muted">{t('inbox.kbNone')}</p> : null}
      <ul class="inbox-kb-hits">
        {hits.value?.map((h) => (
          <li key={h.articleId} data-testid="kb-hit" data-article-id={h.articleId}>
            <strong>{h.title}</strong>
            <p class="muted">{h.snippet}</p>
            <button type="button" data-testid="kb-insert" disabled={action.busy} onClick={() => insert(h)}>
              {t('inbox.kbInsert')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
