import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { ShowMore } from '../../components/show-more.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { fetchArticlePage, type KbHit, type KbView, searchKb } from './api.ts';
import { ArticleView } from './article-view.tsx';
import { KbCategories } from './kb-categories.tsx';
import { KbEditor } from './kb-editor.tsx';

type Mode =
  | { kind: 'search' }
  | { kind: 'read'; id: string }
  | { kind: 'edit'; id?: string }
  | { kind: 'categories' };

/** Knowledge base page: search for agents, article view, and the editor for writers and reviewers. */
export function KnowledgePanel() {
  const mode = useSignal<Mode>({ kind: 'search' });
  const q = useSignal('');
  const hits = useSignal<KbHit[] | undefined>(undefined);
  const articles = useSignal<KbView[]>([]);
  const next = useSignal<string | undefined>(undefined);
  const action = useAction();
  /** The first page of the editors' list, or the one after `cursor` appended. */
  const loadArticles = (cursor?: string) =>
    action.run(async () => {
      const page = await fetchArticlePage(api, cursor);
      articles.value = cursor ? [...articles.value, ...page.articles] : page.articles;
      next.value = page.nextCursor;
    });
  const editor = can('knowledge.write') || can('knowledge.review');

  useEffect(() => {
    if (editor && mode.value.kind === 'search') void loadArticles();
  }, [mode.value.kind]);

  if (mode.value.kind === 'read') {
    return (
      <ArticleView
        id={mode.value.id}
        onBack={() => {
          mode.value = { kind: 'search' };
        }}
        onEdit={(id) => {
          mode.value = { kind: 'edit', id };
        }}
      />
    );
  }
  if (mode.value.kind === 'categories') {
    return (
      <KbCategories
        onBack={() => {
          mode.value = { kind: 'search' };
        }}
      />
    );
  }
  if (mode.value.kind === 'edit') {
    return (
      <KbEditor
        {...(mode.value.id ? { id: mode.value.id } : {})}
        onDone={() => {
          mode.value = { kind: 'search' };
        }}
      />
    );
  }
  const search = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      hits.value = await searchKb(api, q.value.trim());
    });
  };
  return (
    <section class="stack" data-testid="kb-panel">
      <h1>{t('nav.knowledge')}</h1>
      <form class="card row" onSubmit={search}>
        <input
          data-testid="kb-search-input"
          aria-label={t('kb.search')}
          placeholder={t('kb.search')}
          required
          maxLength={200}
          value={q.value}
          onInput={(e) => {
            q.value = e.currentTarget.value;
          }}
        />
        <button type="submit" data-testid="kb-search-submit" disabled={action.busy}>
          {t('kb.searchSubmit')}
        </button>
        {can('knowledge.write') && (
          <button
            type="button"
            data-testid="kb-new"
            onClick={() => {
              mode.value = { kind: 'edit' };
            }}
          >
            {t('kb.new')}
          </button>
        )}
        {can('knowledge.write') && (
          <button
            type="button"
            data-testid="kb-manage-categories"
            onClick={() => {
              mode.value = { kind: 'categories' };
            }}
          >
            {t('kb.cat.manage')}
          </button>
        )}
      </form>
      <ErrorText code={action.error} testid="kb-error" />
      {hits.value && hits.value.length === 0 && <p class="muted">{t('kb.noHits')}</p>}
      <ul class="stack" data-testid="kb-hits">
        {(hits.value ?? []).map((h) => (
          <li key={h.articleId} class="card">
            <button
              type="button"
              data-testid={`kb-hit-${h.articleId}`}
              onClick={() => {
                mode.value = { kind: 'read', id: h.articleId };
              }}
            >
              {h.title}
            </button>{' '}
            <span class="tag">{h.visibility === 'public' ? t('kb.public') : t('kb.internal')}</span>
            <p class="muted">{h.snippet}</p>
          </li>
        ))}
      </ul>
      {editor && articles.value.length > 0 && (
        <section class="card">
          <h2>{t('kb.articles')}</h2>
          <ul data-testid="kb-article-list">
            {articles.value.map((a) => (
              <li key={a.article.id}>
                <button
                  type="button"
                  data-testid={`kb-open-${a.article.id}`}
                  onClick={() => {
                    mode.value = { kind: 'edit', id: a.article.id };
                  }}
                >
                  {a.version.title}
                </button>{' '}
                <span class="tag">{t(`kb.status.${a.version.status}`)}</span>
              </li>
            ))}
          </ul>
          <ShowMore
            next={next.value}
            onMore={(c) => void loadArticles(c)}
            testid="kb-more"
            busy={action.busy}
          />
        </section>
      )}
    </section>
  );
}
