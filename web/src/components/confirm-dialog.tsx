import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';

/**
 * A modal "are you sure" for deletes: the native <dialog>, so focus stays in it
 * and Escape cancels. `children` can show why a delete was refused.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  testid?: string;
  children?: preact.ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  const id = props.testid ?? 'confirm';
  return (
    <dialog ref={ref} data-testid={id} onCancel={props.onCancel} class="card stack">
      <p>{props.title}</p>
      {props.children}
      <div class="row">
        <button type="button" data-testid={`${id}-yes`} disabled={props.busy} onClick={props.onConfirm}>
          {t('common.delete')}
        </button>
        <button type="button" data-testid={`${id}-no`} onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
