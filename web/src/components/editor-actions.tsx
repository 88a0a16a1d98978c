import { useSignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { ApiError } from '../data/api.ts';
import { t } from '../i18n/index.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { ErrorText } from './error-text.tsx';
import type { Action } from './use-action.ts';

/**
 * Save / Delete / Cancel at the foot of an edit form, with the delete confirmed
 * in a dialog that lists what still uses the item when the server refuses with
 * `inUseCode`. Test ids: `<prefix>-save`, `-delete`, `-back`, `-confirm`, `-delete-error`.
 */
export function EditorActions<U>(props: {
  prefix: string;
  action: Action;
  /** Test id of the save error; ErrorText's default when absent. */
  errorTestid?: string;
  canSave: boolean;
  isNew: boolean;
  confirmTitle: string;
  inUseCode: string;
  onSave: () => Promise<unknown>;
  onDelete: () => Promise<unknown>;
  onDone: () => void;
  usedBy: (u: U) => ComponentChildren;
}) {
  const { action, prefix } = props;
  const confirming = useSignal(false);
  const usedBy = useSignal<U | undefined>(undefined);
  const remove = () =>
    action.run(async () => {
      try {
        await props.onDelete();
        confirming.value = false;
        props.onDone();
      } catch (e) {
        const listed =
          e instanceof ApiError && e.code === props.inUseCode ? e.details?.['usedBy'] : undefined;
        // The server's details for this code carry the usedBy shape the caller names.
        if (listed) usedBy.value = listed as U;
        throw e;
      }
    });
  return (
    <>
      <ErrorText code={action.error} {...(props.errorTestid ? { testid: props.errorTestid } : {})} />
      <div class="row">
        <button
          type="button"
          data-testid={`${prefix}-save`}
          disabled={action.busy || !props.canSave}
          onClick={() =>
            void action.run(async () => {
              await props.onSave();
              props.onDone();
            })
          }
        >
          {t('common.save')}
        </button>
        {!props.isNew && (
          <button
            type="button"
            data-testid={`${prefix}-delete`}
            onClick={() => {
              usedBy.value = undefined;
              action.clear();
              confirming.value = true;
            }}
          >
            {t('common.delete')}
          </button>
        )}
        <button type="button" data-testid={`${prefix}-back`} onClick={props.onDone}>
          {t('common.cancel')}
        </button>
      </div>
      <ConfirmDialog
        open={confirming.value}
        testid={`${prefix}-confirm`}
        title={props.confirmTitle}
        busy={action.busy}
        onConfirm={() => void remove()}
        onCancel={() => {
          confirming.value = false;
        }}
      >
        <ErrorText code={action.error} testid={`${prefix}-delete-error`} />
        {usedBy.value && props.usedBy(usedBy.value)}
      </ConfirmDialog>
    </>
  );
}
