import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { EditorActions } from '../../components/editor-actions.tsx';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { locale, t } from '../../i18n/index.ts';
import {
  deleteCategory,
  fetchCategories,
  type KbCategory,
  type KbCategoryUsedBy,
  saveCategory,
} from './api.ts';

const newId = () => `cat-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

function CategoryForm(props: { cat: KbCategory; isNew: boolean; onDone: () => void }) {
  const c = useSignal<KbCategory>(props.cat);
  const action = useAction();
  const cur = c.value;
  const name = (lang: 'zh-CN' | 'en', v: string) => {
    c.value = { ...cur, name: { ...cur.name, [lang]: v } };
  };
  const ok = cur.name['zh-CN'].trim() && cur.name.en.trim();
  return (
    <div class="card stack" data-testid="kb-cat-form">
      <label>
        {t('kb.cat.nameZh')}
        <input
          data-testid="kb-cat-name-zh"
          value={cur.name['zh-CN']}
          onInput={(e) => name('zh-CN', e.currentTarget.value)}
        />
      </label>
      <label>
        {t('kb.cat.nameEn')}
        <input
          data-testid="kb-cat-name-en"
          value={cur.name.en}
          onInput={(e) => name('en', e.currentTarget.value)}
        />
      </label>
      <EditorActions<KbCategoryUsedBy>
        prefix="kb-cat"
        action={action}
        errorTestid="kb-cat-error"
        canSave={Boolean(ok)}
        isNew={props.isNew}
        confirmTitle={t('kb.cat.confirmDelete', { name: cur.name[locale.value] })}
        inUseCode="KNOWLEDGE_CATEGORY_IN_USE"
        onSave={() =>
          saveCategory(api, {
            id: cur.id,
            name: { 'zh-CN': cur.name['zh-CN'].trim(), en: cur.name.en.trim() },
          })
        }
        onDelete={() => deleteCategory(api, cur.id)}
        onDone={props.onDone}
        usedBy={(u) => (
          <ul data-testid="kb-cat-used-by">
            {u.articles.map((a) => (
              <li key={a.id}>{t('kb.cat.usedArticle', { title: a.title })}</li>
            ))}
            {u.categories.map((id) => (
              <li key={id}>{t('kb.cat.usedCategory')}</li>
            ))}
          </ul>
        )}
      />
    </div>
  );
}

/** KB categories: list, create, rename (both languages), delete when no article is in it. */
export function KbCategories(props: { onBack: () => void }) {
  const list = useSignal<KbCategory[]>([]);
  const open = useSignal<{ cat: KbCategory; isNew: boolean } | undefined>(undefined);
  const action = useAction();
  const load = async () => {
    list.value = await fetchCategories(api);
  };
  useEffect(() => {
    void action.run(load);
  }, []);
  if (open.value) {
    return (
      <CategoryForm
        key={open.value.cat.id}
        cat={open.value.cat}
        isNew={open.value.isNew}
        onDone={() => {
          open.value = undefined;
          void action.run(load);
        }}
      />
    );
  }
  return (
    <section class="stack" data-testid="kb-categories">
      <h1>{t('kb.cat.title')}</h1>
      <ErrorText code={action.error} />
      <div class="row">
        <button
          type="button"
          data-testid="kb-cat-new"
          onClick={() => {
            open.value = { cat: { id: newId(), name: { 'zh-CN': '', en: '' } }, isNew: true };
          }}
        >
          {t('kb.cat.new')}
        </button>
        <button type="button" data-testid="kb-cat-close" onClick={props.onBack}>
          {t('kb.cat.back')}
        </button>
      </div>
      {list.value.length === 0 ? (
        <p>{t('kb.cat.empty')}</p>
      ) : (
        <ul>
          {list.value.map((c) => (
            <li key={c.id} data-testid="kb-cat-row">
              <button
                type="button"
                data-testid="kb-cat-open"
                onClick={() => {
                  open.value = { cat: structuredClone(c), isNew: false };
                }}
              >
                {c.name[locale.value]}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
