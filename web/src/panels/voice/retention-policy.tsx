import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ApiError } from '../../data/api.ts';
import { errorText, t } from '../../i18n/index.ts';
import { fetchRetentionPolicy, type RetentionPolicy, saveRetentionPolicy } from './api.ts';

const lines = (m: Record<string, string | number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
const pairs = (text: string) =>
  text
    .split('\n')
    .map((l) => l.split('=').map((x) => x.trim()))
    .filter((p): p is [string, string] => p.length === 2 && p[0] !== '' && p[1] !== '');

/** The retention policy (admins): default days, classes with their days, each queue's class. Saving is audited. */
export function RetentionPolicyEditor() {
  const days = useSignal('');
  const classes = useSignal('');
  const queues = useSignal('');
  const note = useSignal<string | undefined>(undefined);
  const show = (p: RetentionPolicy) => {
    days.value = String(p.days);
    classes.value = lines(p.classes);
    queues.value = lines(p.queueClasses);
  };
  useEffect(() => {
    void fetchRetentionPolicy(api).then(show, (e: unknown) => {
      note.value = errorText(e instanceof ApiError ? e.code : undefined);
    });
  }, []);
  const save = async () => {
    try {
      show(
        await saveRetentionPolicy(api, {
          days: Number(days.value),
          classes: Object.fromEntries(pairs(classes.value).map(([k, v]) => [k, Number(v)])),
          queueClasses: Object.fromEntries(pairs(queues.value)),
        }),
      );
      note.value = t('retention.saved');
    } catch (e) {
      note.value = errorText(e instanceof ApiError ? e.code : undefined);
    }
  };
  return (
    <form
      class="stack"
      data-testid="retention-policy"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t('retention.title')}</h2>
      <label>
        {t('retention.days')}
        <input
          type="number"
          min={1}
          max={3650}
          data-testid="retention-days"
          value={days.value}
          onInput={(e) => (days.value = (e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        {t('retention.classes')}
        <textarea
          rows={3}
          data-testid="retention-classes"
          value={classes.value}
          onInput={(e) => (classes.value = (e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <label>
        {t('retention.queues')}
        <textarea
          rows={3}
          data-testid="retention-queues"
          value={queues.value}
          onInput={(e) => (queues.value = (e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="row">
        <button type="submit" data-testid="retention-save">
          {t('retention.save')}
        </button>
        {note.value && <span role="status">{note.value}</span>}
      </div>
    </form>
  );
}
