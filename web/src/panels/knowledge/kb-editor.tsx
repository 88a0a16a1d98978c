import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import {
  approveArticle,
  createArticle,
  editArticle,
  fetchArticle,
  fetchCategories,
  fetchVersions,
  type KbCategory,
  type KbLocale,
  type KbVersion,
  type KbView,
  type KbVisibility,
  rejectArticle,
  submitArticle,
} from './api.ts';

type Field = 'title' | 'body' | 'category' | 'tags';

/** Writes a draft, submits it, and (for a different reviewer) approves or sends it back. */
export function KbEditor(props: { id?: string; onDone: () => void }) {
  const id = useSignal(props.id);
  const view = useSignal<KbView | undefined>(undefined);
  const versions = useSignal<KbVersion[]>([]);
  const categories = useSignal<KbCategory[]>([]);
  const form = useSignal<Record<Field, string>>({ title: '', body: '', category: '', tags: '' });
  const locale = useSignal<KbLocale>('zh-CN');
  const visibility = useSignal<KbVisibility>('internal');
  const comment = useSignal('');
  const action = useAction();

  const load = async (articleId: string) => {
    const latest = await fetchArticle(api, articleId);
    const all = await fetchVersions(api, articleId);
    const newest = all[all.length - 1] ?? latest.version;
    view.value = { ...latest, version: newest };
    versions.value = all;
    form.value = {
      title: newest.title,
      body: newest.body,
      category: newest.category,
      tags: newest.tags.join(', '),
    };
    visibility.value = newest.visibility;
    locale.value = latest.article.locale;
  };
  useEffect(() => {
    void action.run(async () => {
      categories.value = await fetchCategories(api);
      if (id.value) await load(id.value);
    });
  }, []);

  const content = () => ({
    title: form.value.title,
    body: form.value.body,
    category: form.value.category,
    tags: form.value.tags
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean),
    visibility: visibility.value,
  });
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const saved = id.value
        ? await editArticle(api, id.value, content())
        : await createArticle(api, { ...content(), locale: locale.value });
      id.value = saved.article.id;
      await load(saved.article.id);
    });
  };
  const step = (run: (articleId: string) => Promise<unknown>) =>
    void action.run(async () => {
      if (!id.value) return;
      await run(id.value);
      await load(id.value);
    });
  const input = (field: Field) => (e: { currentTarget: { value: string } }) => {
    form.value = { ...form.value, [field]: e.currentTarget.value };
  };
  const status = view.value?.version.status;

  return (
    <form class="card stack" onSubmit={save} data-testid="kb-editor">
      <h2>{id.value ? t('kb.edit') : t('kb.new')}</h2>
      {status && (
        <p data-testid="kb-editor-status" data-status={status}>
          <span class="tag">{t(`kb.status.${status}`)}</span>
          {view.value?.version.reviewComment ? ` — ${view.value.version.reviewComment}` : ''}
        </p>
      )}
      <label>
        {t('kb.title')}
        <input
          data-testid="kb-title"
          required
          maxLength={200}
          value={form.value.title}
          onInput={input('title')}
        />
      </label>
      <div class="row">
        <label>
          {t('kb.locale')}
          <select
            data-testid="kb-locale"
            disabled={id.value !== undefined}
            value={locale.value}
            onChange={(e) => {
              locale.value = e.currentTarget.value as KbLocale;
            }}
          >
            <option value="zh-CN">简体中文</option>
            <option value="en">English</option>
          </select>
        </label>
        <label>
          {t('kb.category')}
          <select data-testid="kb-category" required value={form.value.category} onChange={input('category')}>
            <option value="" />
            {categories.value.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name[locale.value]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('kb.visibility')}
          <select
            data-testid="kb-visibility"
            value={visibility.value}
            onChange={(e) => {
              visibility.value = e.currentTarget.value as KbVisibility;
            }}
          >
            <option value="internal">{t('kb.internal')}</option>
            <option value="public">{t('kb.public')}</option>
          </select>
        </label>
      </div>
      <label>
        {t('kb.tags')}
        <input data-testid="kb-tags" value={form.value.tags} onInput={input('tags')} />
      </label>
      <label>
        {t('kb.body')}
        <textarea data-testid="kb-body" rows={12} value={form.value.body} onInput={input('body')} />
      </label>
      <div class="row">
        <button type="submit" data-testid="kb-save" disabled={action.busy || status === 'in_review'}>
          {t('kb.saveDraft')}
        </button>
        {status === 'draft' && (
          <button type="button" data-testid="kb-submit" onClick={() => step((a) => submitArticle(api, a))}>
            {t('kb.submit')}
          </button>
        )}
        {status === 'in_review' && can('knowledge.review') && (
          <>
            <button
              type="button"
              data-testid="kb-approve"
              onClick={() => step((a) => approveArticle(api, a))}
            >
              {t('kb.approve')}
            </button>
            <input
              data-testid="kb-reject-comment"
              aria-label={t('kb.rejectComment')}
              placeholder={t('kb.rejectComment')}
              value={comment.value}
              onInput={(e) => {
                comment.value = e.currentTarget.value;
              }}
            />
            <button
              type="button"
              data-testid="kb-reject"
              disabled={comment.value.trim() === ''}
              onClick={() => step((a) => rejectArticle(api, a, comment.value.trim()))}
            >
              {t('kb.reject')}
            </button>
          </>
        )}
        <button type="button" data-testid="kb-editor-close" onClick={props.onDone}>
          {t('kb.back')}
        </button>
      </div>
      <ErrorText code={action.error} testid="kb-editor-error" />
      {versions.value.length > 0 && (
        <section>
          <h3>{t('kb.versions')}</h3>
          <ul data-testid="kb-versions">
            {versions.value.map((v) => (
              <li key={v.version} data-testid={`kb-version-${v.version}`}>
                v{v.version} · {t(`kb.status.${v.status}`)} · {v.title}
              </li>
            ))}
          </ul>
        </section>
      )}
    </form>
  );
}
