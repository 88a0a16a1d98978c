import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import type { Calendar } from '../../data/calendar.ts';
import { t } from '../../i18n/index.ts';
import { type QueueItem, saveItem, type TargetItem, type WorkflowItem } from './api.ts';
import { IdField } from './id-field.tsx';
import { SaveError, useSave } from './save-error.tsx';

type Filter = WorkflowItem['filters'][number];

/** A queue picked by name, with a priority (higher first). */
function TargetPicker(props: {
  target: TargetItem | undefined;
  queues: QueueItem[];
  optional?: boolean;
  testid: string;
  onChange: (t: TargetItem | undefined) => void;
}) {
  const tg = props.target;
  return (
    <span class="row">
      <select
        data-testid={`${props.testid}-queue`}
        aria-label={t('routing.queue')}
        required={!props.optional}
        value={tg?.queue ?? ''}
        onChange={(e) => {
          const q = e.currentTarget.value;
          props.onChange(q ? { ...(tg ?? {}), queue: q } : undefined);
        }}
      >
        <option value="">{props.optional ? t('routing.noDefault') : t('routing.pickQueue')}</option>
        {props.queues.map((q) => (
          <option key={q.id} value={q.id}>
            {q.name}
          </option>
        ))}
      </select>
      <label>
        {t('routing.priority')}
        <input
          type="number"
          min={-1000}
          max={1000}
          data-testid={`${props.testid}-priority`}
          disabled={!tg}
          value={String(tg?.priority ?? 0)}
          onInput={(e) => tg && props.onChange({ ...tg, priority: Number(e.currentTarget.value) || 0 })}
        />
      </label>
    </span>
  );
}

/**
 * A routing workflow: ordered filters (a condition over the contact, then the
 * queues to try, picked by name, with priorities), a default target, and the
 * business-hours calendar it follows.
 */
export function WorkflowForm(props: {
  initial?: WorkflowItem | undefined;
  queues: QueueItem[];
  calendars: Calendar[];
  onSaved: () => void;
}) {
  const init = props.initial;
  const id = useSignal(init?.id ?? '');
  const name = useSignal(init?.name ?? '');
  const filters = useSignal<Filter[]>(structuredClone(init?.filters ?? []));
  const fallback = useSignal<TargetItem | undefined>(init?.defaultTarget);
  const calendarId = useSignal(init?.calendarId ?? '');
  const whenClosed = useSignal(init?.whenClosed ?? 'reject');
  const isDefault = useSignal(init?.isDefault ?? false);
  const save = useSave();
  const setFilter = (i: number, f: Filter | undefined) => {
    const next = [...filters.value];
    if (f) next[i] = f;
    else next.splice(i, 1);
    filters.value = next;
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const {
      id: _id,
      filters: _f,
      defaultTarget: _d,
      calendarId: _c,
      whenClosed: _w,
      ...kept
    } = init ?? {
      id: '',
    };
    void save
      .run(() =>
        saveItem(api, 'workflows', id.value.trim(), {
          ...kept,
          name: name.value.trim(),
          filters: filters.value,
          ...(fallback.value ? { defaultTarget: fallback.value } : {}),
          ...(calendarId.value ? { calendarId: calendarId.value, whenClosed: whenClosed.value } : {}),
          isDefault: isDefault.value,
        }),
      )
      .then((ok) => ok && props.onSaved());
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid="routing-form-workflows">
      <label>
        {t('routing.name')}
        <input
          data-testid="workflow-name"
          required
          maxLength={100}
          value={name.value}
          onInput={(e) => (name.value = e.currentTarget.value)}
        />
      </label>
      <IdField value={id.value} locked={init !== undefined} onInput={(v) => (id.value = v)} />
      <label class="row">
        <input
          type="checkbox"
          data-testid="workflow-default"
          checked={isDefault.value}
          onChange={(e) => (isDefault.value = e.currentTarget.checked)}
        />
        {t('routing.isDefault')}
      </label>
      <fieldset class="stack">
        <legend>{t('routing.filters')}</legend>
        {filters.value.map((f, i) => (
          <div key={String(i)} class="card stack" data-testid={`workflow-filter-${i}`}>
            <label>
              {t('routing.filterName')}
              <input
                data-testid={`workflow-filter-${i}-name`}
                required
                value={f.name}
                onInput={(e) => setFilter(i, { ...f, name: e.currentTarget.value })}
              />
            </label>
            <label>
              {t('routing.condition')}
              <input
                data-testid={`workflow-filter-${i}-condition`}
                required
                placeholder="intent == 'billing'"
                value={f.expression}
                onInput={(e) => setFilter(i, { ...f, expression: e.currentTarget.value })}
              />
            </label>
            {f.targets.map((tg, j) => (
              <TargetPicker
                key={String(j)}
                target={tg}
                queues={props.queues}
                testid={`workflow-filter-${i}-target-${j}`}
                onChange={(next) =>
                  setFilter(i, {
                    ...f,
                    targets: next
                      ? f.targets.map((x, k) => (k === j ? next : x))
                      : f.targets.filter((_, k) => k !== j),
                  })
                }
              />
            ))}
            <span class="row">
              <button
                type="button"
                class="secondary"
                data-testid={`workflow-filter-${i}-add-target`}
                onClick={() => setFilter(i, { ...f, targets: [...f.targets, { queue: '' }] })}
              >
                {t('routing.addTarget')}
              </button>
              <button
                type="button"
                class="secondary"
                data-testid={`workflow-filter-${i}-remove`}
                onClick={() => setFilter(i, undefined)}
              >
                {t('routing.removeFilter')}
              </button>
            </span>
          </div>
        ))}
        <button
          type="button"
          class="secondary"
          data-testid="workflow-add-filter"
          onClick={() =>
            (filters.value = [...filters.value, { name: '', expression: '', targets: [{ queue: '' }] }])
          }
        >
          {t('routing.addFilter')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('routing.defaultTarget')}</legend>
        <TargetPicker
          target={fallback.value}
          queues={props.queues}
          optional
          testid="workflow-default-target"
          onChange={(next) => (fallback.value = next)}
        />
      </fieldset>
      <fieldset class="row">
        <legend>{t('routing.hours')}</legend>
        <select
          data-testid="workflow-calendar"
          aria-label={t('routing.field.calendar')}
          value={calendarId.value}
          onChange={(e) => (calendarId.value = e.currentTarget.value)}
        >
          <option value="">{t('routing.alwaysOpen')}</option>
          {props.calendars.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select
          data-testid="workflow-when-closed"
          aria-label={t('routing.whenClosed')}
          disabled={!calendarId.value}
          value={whenClosed.value}
          onChange={(e) => (whenClosed.value = e.currentTarget.value as typeof whenClosed.value)}
        >
          {(['reject', 'callback', 'offline'] as const).map((w) => (
            <option key={w} value={w}>
              {t(`routing.whenClosed.${w}`)}
            </option>
          ))}
        </select>
      </fieldset>
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
