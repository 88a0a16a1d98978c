import { useSignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { saveItem } from './api.ts';
import { IdField } from './id-field.tsx';
import { SaveError, useSave } from './save-error.tsx';

/** The name and id every named routing item has, as signals the form's own fields sit beside. */
export function useNamedItem(initial: { id: string; name: string } | undefined) {
  return { id: useSignal(initial?.id ?? ''), name: useSignal(initial?.name ?? '') };
}

/**
 * A routing item form: name, id (fixed once saved), the item's own fields, the
 * refusal and Save. Saves `{ name, ...rest() }` under the trimmed id.
 * Test ids: `routing-form-<kind>`, `<prefix>-name`, `routing-form-save`.
 */
export function NamedItemForm(props: {
  kind: 'queues' | 'skills';
  prefix: string;
  item: ReturnType<typeof useNamedItem>;
  locked: boolean;
  rest: () => object;
  onSaved: () => void;
  children?: ComponentChildren;
}) {
  const { id, name } = props.item;
  const save = useSave();
  const submit = (e: Event) => {
    e.preventDefault();
    void save
      .run(() => saveItem(api, props.kind, id.value.trim(), { name: name.value.trim(), ...props.rest() }))
      .then((ok) => ok && props.onSaved());
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid={`routing-form-${props.kind}`}>
      <label>
        {t('routing.name')}
        <input
          data-testid={`${props.prefix}-name`}
          required
          maxLength={100}
          value={name.value}
          onInput={(e) => (name.value = e.currentTarget.value)}
        />
      </label>
      <IdField value={id.value} locked={props.locked} onInput={(v) => (id.value = v)} />
      {props.children}
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
