import { useSignal } from '@preact/signals';
import { t } from '../../i18n/index.ts';

/** Copies `text` to the clipboard; says so once it did. */
export function CopyButton({ text, testid }: { text: string; testid: string }) {
  const copied = useSignal(false);
  return (
    <button
      type="button"
      class="secondary"
      data-testid={testid}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => (copied.value = true),
          () => undefined,
        )
      }
    >
      {copied.value ? t('setup.webchat.copied') : t('setup.webchat.copy')}
    </button>
  );
}
