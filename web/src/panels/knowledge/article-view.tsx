import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { countUsage, fetchArticle, type KbUsage, type KbView } from './api.ts';

/** One published article with its usage counts and the agent's feedback buttons. */
export function ArticleView(props: { id: string; onBack: () => void; onEdit?: (id: string) => void }) {
  const view = useSignal<KbView | undefined>(undefined);
  const usage = useSignal<KbUsage | undefined>(undefined);
  const action = useAction();
  useEffect(() => {
    void action.run(async () => {
      view.value = await fetchArticle(api, props.id);
      usage.value = await countUsage(api, props.id, 'view');
    });
  }, [props.id]);
  const count = (kind: 'helpful' | 'not_helpful' | 'used') =>
    void action.run(async () => {
      usage.value = await countUsage(api, props.id, kind);
    });
  const v = view.value?.version;
  const u = usage.value ?? view.value?.article.usage;
  return (
    <article class="card stack" data-testid="kb-article">
      <div class="row">
        <button type="button" data-testid="kb-back" onClick={props.onBack}>
          {t('kb.back')}
        </button>
        {props.onEdit && can('knowledge.write') && (
          <button type="button" data-testid="kb-edit" onClick={() => props.onEdit?.(props.id)}>
            {t('kb.edit')}
          </button>
        )}
      </div>
      {v && (
        <>
          <h2 data-testid="kb-article-title">{v.title}</h2>
          <p class="muted">
            <span class="tag">{v.visibility === 'public' ? t('kb.public') : t('kb.internal')}</span>{' '}
            {v.category} · {v.tags.join(', ')}
          </p>
          <div data-testid="kb-article-body" class="kb-body">
            {v.body.split(/\n{2,}/).map((para) => (
              <p key={para}>{para}</p>
            ))}
          </div>
        </>
      )}
      {u && (
        <p class="muted" data-testid="kb-usage">
          {t('kb.usage', {
            views: u.views,
            helpful: u.helpful,
            notHelpful: u.notHelpful,
            used: u.usedInReply,
          })}
        </p>
      )}
      <div class="row">
        <button type="button" data-testid="kb-helpful" onClick={() => count('helpful')}>
          {t('kb.helpful')}
        </button>
        <button type="button" data-testid="kb-not-helpful" onClick={() => count('not_helpful')}>
          {t('kb.notHelpful')}
        </button>
        <button type="button" data-testid="kb-used" onClick={() => count('used')}>
          {t('kb.usedInReply')}
        </button>
      </div>
      <ErrorText code={action.error} testid="kb-article-error" />
    </article>
  );
}
