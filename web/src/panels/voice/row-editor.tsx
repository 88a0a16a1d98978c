import { type Signal, useSignal } from '@preact/signals';
import { ErrorText } from '../../components/error-text.tsx';
import { type Action, useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';

/** State of a list whose rows open into one edit form: the open form, the row awaiting delete confirmation, the save action. */
export interface RowEditor<F> {
  form: Signal<F | undefined>;
  confirming: Signal<string | undefined>;
  save: Action;
  /** Patch the open form; ignored when none is open. */
  setF: (patch: Partial<F>) => void;
  /** Open the form with these values, clearing the last save error. */
  open: (values: F) => void;
}

export function useRowEditor<F>(): RowEditor<F> {
  const form = useSignal<F | undefined>(undefined);
  const confirming = useSignal<string | undefined>(undefined);
  const save = useAction();
  return {
    form,
    confirming,
    save,
    setF: (patch) => {
      if (form.value) form.value = { ...form.value, ...patch };
    },
    open: (values) => {
      save.clear();
      form.value = values;
    },
  };
}

/** Who still uses an item, from a refused delete (`details.usedBy` of VOICE_ACCOUNT_IN_USE / VOICE_TRUNK_IN_USE). */
export interface UsedByItem {
  kind: 'agent' | 'flow' | 'dialout';
  id: string;
  name: string;
}

/**
 * A row's Delete button that turns into "delete X?" with Delete / Cancel; a refused
 * delete shows its translated error and, for `inUseCode`, who still uses the item.
 * Test ids `<prefix>-delete`, `<prefix>-delete-confirm`, `<prefix>-delete-cancel`,
 * `<prefix>-delete-error`, `<prefix>-used-by-item`.
 */
export function DeleteWithConfirm<F>(props: {
  editor: RowEditor<F>;
  name: string;
  prefix: string;
  action: Action;
  inUseCode: string;
  onDelete: () => Promise<void>;
}) {
  const { confirming } = props.editor;
  const usedBy = useSignal<UsedByItem[] | undefined>(undefined);
  if (confirming.value !== props.name)
    return (
      <button
        type="button"
        class="secondary"
        data-testid={`${props.prefix}-delete`}
        onClick={() => {
          usedBy.value = undefined;
          props.action.clear();
          confirming.value = props.name;
        }}
      >
        {t('phones.delete')}
      </button>
    );
  const remove = () =>
    props.action.run(async () => {
      try {
        await props.onDelete();
      } catch (e) {
        const listed =
          e instanceof ApiError && e.code === props.inUseCode ? e.details?.['usedBy'] : undefined;
        // The server's details for the in-use code carry this shape (voice/usage.ts).
        if (Array.isArray(listed)) usedBy.value = listed as UsedByItem[];
        throw e;
      }
    });
  return (
    <span class="stack">
      <span class="row">
        <span>{t('phones.confirmDelete', { name: props.name })}</span>
        <button
          type="button"
          class="danger"
          data-testid={`${props.prefix}-delete-confirm`}
          disabled={props.action.busy}
          onClick={() => void remove()}
        >
          {t('phones.delete')}
        </button>
        <button
          type="button"
          class="secondary"
          data-testid={`${props.prefix}-delete-cancel`}
          onClick={() => {
            confirming.value = undefined;
          }}
        >
          {t('phones.cancel')}
        </button>
      </span>
      <ErrorText code={props.action.error} testid={`${props.prefix}-delete-error`} />
      {usedBy.value?.length ? (
        <ul data-testid={`${props.prefix}-used-by`}>
          {usedBy.value.map((u) => (
            <li key={`${u.kind}:${u.id}`} data-testid={`${props.prefix}-used-by-item`}>
              {t(`phones.usedBy.${u.kind}`)}: {u.name}
            </li>
          ))}
        </ul>
      ) : null}
    </span>
  );
}

/** The "new" button under a list (test id `<prefix>-new`). */
export function NewButton<F>(props: { editor: RowEditor<F>; prefix: string; label: string; empty: F }) {
  return (
    <div class="row">
      <button
        type="button"
        class="secondary"
        data-testid={`${props.prefix}-new`}
        onClick={() => props.editor.open({ ...props.empty })}
      >
        {props.label}
      </button>
    </div>
  );
}

/** Save error, Save and Cancel at the foot of an edit form (test ids `<prefix>-save-error`, `<prefix>-save`). */
export function FormFooter<F>(props: { editor: RowEditor<F>; prefix: string }) {
  const { save, form } = props.editor;
  return (
    <>
      <ErrorText code={save.error} testid={`${props.prefix}-save-error`} />
      <div class="row">
        <button type="submit" data-testid={`${props.prefix}-save`} disabled={save.busy}>
          {t('phones.save')}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            form.value = undefined;
          }}
        >
          {t('phones.cancel')}
        </button>
      </div>
    </>
  );
}
