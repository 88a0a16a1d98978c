import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { expressionCheck, type QueueItem, type SkillItem } from './api.ts';
import { NamedItemForm, useNamedItem } from './named-item-form.tsx';
import { type Refusal, refusalOf, SaveError } from './save-error.tsx';

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
  const item = useNamedItem(props.initial);
  const expression = useSignal(props.initial?.agentExpression ?? '');
  const sample = useSignal<Sample | undefined>(undefined);
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
  const s = sample.value;
  return (
    <NamedItemForm
      kind="queues"
      prefix="queue"
      item={item}
      locked={props.initial !== undefined}
      rest={() => (expression.value.trim() ? { agentExpression: expression.value.trim() } : {})}
      onSaved={props.onSaved}
    >
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
    </NamedItemForm>
  );
}
