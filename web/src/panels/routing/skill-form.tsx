import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { type SkillItem, saveItem } from './api.ts';
import { IdField } from './id-field.tsx';
import { SaveError, useSave } from './save-error.tsx';

/** A skill: a name agents and queues refer to; the id is what conditions read (`skills.<id>`). */
export function SkillForm(props: { initial?: SkillItem | undefined; onSaved: () => void }) {
  const id = useSignal(props.initial?.id ?? '');
  const name = useSignal(props.initial?.name ?? '');
  const description = useSignal(props.initial?.description ?? '');
  const save = useSave();
  const submit = (e: Event) => {
    e.preventDefault();
    void save
      .run(() =>
        saveItem(api, 'skills', id.value.trim(), {
          name: name.value.trim(),
          ...(description.value.trim() ? { description: description.value.trim() } : {}),
        }),
      )
      .then((ok) => ok && props.onSaved());
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid="routing-form-skills">
      <label>
        {t('routing.name')}
        <input
          data-testid="skill-name"
          required
          maxLength={100}
          value={name.value}
          onInput={(e) => (name.value = e.currentTarget.value)}
        />
      </label>
      <IdField value={id.value} locked={props.initial !== undefined} onInput={(v) => (id.value = v)} />
      <label>
        {t('routing.description')}
        <input
          data-testid="skill-description"
          maxLength={500}
          value={description.value}
          onInput={(e) => (description.value = e.currentTarget.value)}
        />
      </label>
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
