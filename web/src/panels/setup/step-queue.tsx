import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';
import { defaultWorkflow, fetchRouting, putRouting, type RoutingConfigFull, slug } from './api.ts';
import { Field, StepFrame, type StepProps } from './step-frame.tsx';

const ID = '[A-Za-z0-9_.\\-]{1,64}';
const refused = (field: string) => new ApiError('SETUP_INVALID_FIELD', 400, { details: { field } });

/** Skills named in an expression (`skills.cards >= 2`) that routing does not know. */
export function unknownSkills(expression: string, known: readonly string[]): string[] {
  const named = [...expression.matchAll(/\bskills\.([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? '');
  return [...new Set(named.filter((s) => !known.includes(s)))];
}

/**
 * The first queue and its skills, by name: skills are added as rows, the queue
 * may require one of them (or take a written condition, checked on save), and
 * the default workflow sends every contact to it.
 */
export function QueueStep(props: StepProps) {
  const config = useSignal<RoutingConfigFull | undefined>(undefined);
  const skills = useSignal<Array<{ id: string; name: string }>>([]);
  const skillName = useSignal('');
  const skillId = useSignal('');
  const queueName = useSignal('');
  const queueId = useSignal('');
  const required = useSignal('');
  const level = useSignal('1');
  const expression = useSignal('');
  const routeAll = useSignal(true);
  useEffect(() => {
    void fetchRouting(api).then((c) => {
      config.value = c;
      skills.value = c.skills.map(({ id, name }) => ({ id, name }));
    });
  }, []);

  const save = async () => {
    const c = config.value;
    if (!c) return;
    const id = queueId.value.trim() || slug(queueName.value);
    if (!id) throw refused('queueId');
    const known = skills.value.map((s) => s.id);
    if (required.value && !known.includes(required.value)) throw refused('requiredSkill');
    const written = expression.value.trim();
    if (written && unknownSkills(written, known).length > 0) throw refused('agentExpression');
    for (const s of skills.value.filter((s) => !c.skills.some((x) => x.id === s.id)))
      await putRouting(api, 'skills', s.id, { name: s.name });
    const agentExpression =
      written || (required.value ? `skills.${required.value} >= ${Number(level.value) || 1}` : '');
    await putRouting(api, 'queues', id, {
      name: queueName.value.trim(),
      ...(agentExpression ? { agentExpression } : {}),
    });
    const wf = defaultWorkflow(c);
    if (routeAll.value && wf) {
      const { id: wfId, ...body } = wf;
      await putRouting(api, 'workflows', wfId, { ...body, defaultTarget: { queue: id } });
    }
    await props.done();
  };

  return (
    <StepFrame step="queue" skip={props.skip} onSave={save}>
      <h2>{t('setup.step.queue')}</h2>
      <p>{t('setup.queue.intro')}</p>
      <fieldset class="stack">
        <legend>{t('setup.queue.skills')}</legend>
        <ul data-testid="setup-skills">
          {skills.value.map((s) => (
            <li key={s.id}>
              {s.name} <code>{s.id}</code>
            </li>
          ))}
        </ul>
        <div class="row">
          <Field
            label={t('setup.queue.skillName')}
            testid="setup-skill-name"
            value={skillName.value}
            onInput={(v) => {
              if (!skillId.value || skillId.value === slug(skillName.value)) skillId.value = slug(v);
              skillName.value = v;
            }}
          />
          <Field
            label={t('setup.queue.skillId')}
            testid="setup-skill-id"
            pattern="[A-Za-z0-9_]{1,64}"
            value={skillId.value}
            onInput={(v) => {
              skillId.value = v;
            }}
          />
          <button
            type="button"
            class="secondary"
            data-testid="setup-skill-add"
            disabled={!skillName.value.trim() || !/^[A-Za-z0-9_]{1,64}$/.test(skillId.value)}
            onClick={() => {
              skills.value = [
                ...skills.value.filter((s) => s.id !== skillId.value),
                { id: skillId.value, name: skillName.value.trim() },
              ];
              skillName.value = '';
              skillId.value = '';
            }}
          >
            {t('setup.queue.addSkill')}
          </button>
        </div>
      </fieldset>
      <div class="row">
        <Field
          label={t('setup.queue.name')}
          testid="setup-queue-name"
          required
          value={queueName.value}
          onInput={(v) => {
            if (!queueId.value || queueId.value === slug(queueName.value)) queueId.value = slug(v);
            queueName.value = v;
          }}
        />
        <Field
          label={t('setup.queue.id')}
          testid="setup-queue-id"
          pattern={ID}
          value={queueId.value}
          onInput={(v) => {
            queueId.value = v;
          }}
          hint={t('setup.queue.idHint')}
        />
      </div>
      <div class="row">
        <label>
          {t('setup.queue.requiredSkill')}
          <select
            data-testid="setup-queue-skill"
            value={required.value}
            onChange={(e) => {
              required.value = e.currentTarget.value;
            }}
          >
            <option value="">{t('setup.queue.anySkill')}</option>
            {skills.value.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('setup.queue.level')}
          <select
            data-testid="setup-queue-level"
            value={level.value}
            onChange={(e) => {
              level.value = e.currentTarget.value;
            }}
          >
            {['1', '2', '3', '4', '5'].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Field
        label={t('setup.queue.expression')}
        testid="setup-queue-expression"
        value={expression.value}
        onInput={(v) => {
          expression.value = v;
        }}
        hint={t('setup.queue.expressionHint')}
      />
      <label class="choice">
        <input
          type="checkbox"
          data-testid="setup-queue-route-all"
          checked={routeAll.value}
          onChange={(e) => {
            routeAll.value = e.currentTarget.checked;
          }}
        />
        {t('setup.queue.routeAll')}
      </label>
    </StepFrame>
  );
}
