import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { expressionCheck, type QueueItem, type SkillItem, saveItem } from './api.ts';
import { IdField } from './id-field.tsx';
import { type Refusal, refusalOf, SaveError, useSave } from './save-error.tsx';

type Sample = { matches: Array<{ name: string; skills: string }> } | { refusal: Refusal };

/**
 * A queue: name and who staffs it, as a condition over agent skills typed in a
 * field. The condition is checked as the user types (as the save will check it)
 * and shown against the agents it would match: "would match: 王芳 (账务 3)".
 */
export function QueueForm(props: {
  initial?: QueueItem | undefined;
  skills: SkillItem[];
  onSaved: () => void;
}) {
  const id = useSignal(props.initial?.id ?? '');
  const name = useSignal(props.initial?.name ?? '');
  const expression = useSignal(props.initial?.agentExpression ?? '');
  const sample = useSignal<Sample | undefined>(undefined);
  const save = useSave();
  const skillName = (sid: string) => props.skills.find((s) => s.id === sid)?.name ?? sid;
  useEffect(() => {
    const expr = expression.value.trim();
    if (!expr) {
      sample.value = undefined;
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      expressionCheck(api, expr).then(
        (ms) => {
          if (!live) return;
          sample.value = {
            matches: ms.map((m) => ({
              name: m.displayName ?? m.userId,
              skills: Object.entries(m.skills)
                .map(([s, level]) => `${skillName(s)} ${level}`)
                .join(', '),
            })),
          };
        },
        (err: unknown) => {
          if (!live) return;
          sample.value = { refusal: refusalOf(err) };
        },
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [expression.value]);
  const submit = (e: Event) => {
    e.preventDefault();
    void save
      .run(() =>
        saveItem(api, 'queues', id.value.trim(), {
          name: name.value.trim(),
          ...(expression.value.trim() ? { agentExpression: expression.value.trim() } : {}),
        }),
      )
      .then((ok) => ok && props.onSaved());
  };
  const s = sample.value;
  return (
    <form class="card stack" onSubmit={submit} data-testid="routing-form-queues">
      <label>
        {t('routing.name')}
        <input
          data-testid="queue-name"
          required
          maxLength={100}
          value={name.value}
          onInput={(e) => (name.value = e.currentTarget.value)}
        />
      </label>
      <IdField value={id.value} locked={props.initial !== undefined} onInput={(v) => (id.value = v)} />
      <label>
        {t('routing.field.agentExpression')}
        <input
          data-testid="queue-expression"
          maxLength={2000}
          placeholder="skills.billing >= 2"
          value={expression.value}
          onInput={(e) => (expression.value = e.currentTarget.value)}
        />
        <small class="muted">
          {t('routing.expressionHint', {
            skills: props.skills.map((k) => `skills.${k.id} (${k.name})`).join(', ') || '—',
          })}
        </small>
      </label>
      {s && 'matches' in s ? (
        <p data-testid="queue-sample" class="muted">
          {s.matches.length
            ? t('routing.wouldMatch', {
                agents: s.matches.map((m) => (m.skills ? `${m.name} (${m.skills})` : m.name)).join('; '),
              })
            : t('routing.wouldMatchNobody')}
        </p>
      ) : null}
      {s && 'refusal' in s ? <SaveError refusal={s.refusal} testid="queue-sample-refusal" /> : null}
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
