import { useSignal } from '@preact/signals';
import { t } from '../../i18n/index.ts';
import type { SkillItem } from './api.ts';
import { NamedItemForm, useNamedItem } from './named-item-form.tsx';

/** A skill: a name agents and queues refer to; the id is what conditions read (`skills.<id>`). */
export function SkillForm(props: { initial?: SkillItem | undefined; onSaved: () => void }) {
  const item = useNamedItem(props.initial);
  const description = useSignal(props.initial?.description ?? '');
  return (
    <NamedItemForm
      kind="skills"
      prefix="skill"
      item={item}
      locked={props.initial !== undefined}
      rest={() => (description.value.trim() ? { description: description.value.trim() } : {})}
      onSaved={props.onSaved}
    >
      <label>
        {t('routing.description')}
        <input
          data-testid="skill-description"
          maxLength={500}
          value={description.value}
          onInput={(e) => (description.value = e.currentTarget.value)}
        />
      </label>
    </NamedItemForm>
  );
}
