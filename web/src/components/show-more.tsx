import { t } from '../i18n/index.ts';

/**
 * "Show more" under a paged list: shown while the server gave a cursor for the
 * next page; the caller appends that page to what is shown.
 */
export function ShowMore(props: {
  next: string | undefined;
  onMore: (cursor: string) => void;
  testid: string;
  busy?: boolean;
}) {
  const { next } = props;
  if (!next) return null;
  return (
    <button
      type="button"
      class="secondary"
      data-testid={props.testid}
      disabled={props.busy === true}
      onClick={() => props.onMore(next)}
    >
      {t('common.more')}
    </button>
  );
}
