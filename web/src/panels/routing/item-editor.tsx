import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';
import { type ConfigKind, saveItem } from './api.ts';

const TEMPLATES: Record<ConfigKind | 'agents', object> = {
  queues: { name: 'Billing', agentExpression: 'skills.billing >= 1' },
  skills: { name: 'Billing' },
  workflows: {
    name: 'Main',
    isDefault: true,
    filters: [{ name: 'vip', expression: 'vipTier >= 2', targets: [{ queue: 'billing', priority: 10 }] }],
    defaultTarget: { queue: 'billing' },
  },
  calendars: {
    name: 'Branch',
    timeZone: 'Asia/Shanghai',
    weekly: { Mon: [['09:00', '17:00']] },
    holidays: [],
  },
  agents: {
    skills: { billing: 3 },
    languages: ['zh'],
    capacity: { voice: 1, webchat: 3, email: 5 },
    totalCapacity: 5,
  },
};

/**
 * Where a refused item went wrong, from the error's details (never the server's
 * English message): the position in a routing condition, or the fields named.
 */
function detailOf(err: unknown): string {
  const d = err instanceof ApiError ? (err.details ?? {}) : {};
  if (typeof d['position'] === 'number') return t('routing.errorAt', { position: d['position'] + 1 }); // 0-based on the wire
  const issues = Array.isArray(d['issues']) ? (d['issues'] as Array<{ path?: unknown }>) : [];
  const fields = issues.map((i) => String(i.path ?? '')).filter(Boolean);
  if (typeof d['field'] === 'string') fields.push(d['field']);
  return fields.length ? t('routing.errorFields', { fields: fields.join(', ') }) : '';
}

/** Edits one item as JSON: the server validates it and names the position of a bad expression. */
export function ItemEditor(props: {
  kind: ConfigKind | 'agents';
  initial?: { id: string; body: object };
  onSaved: () => void;
}) {
  const id = useSignal(props.initial?.id ?? '');
  const text = useSignal(JSON.stringify(props.initial?.body ?? TEMPLATES[props.kind], null, 2));
  const bad = useSignal(false);
  const message = useSignal('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    let body: object;
    try {
      body = JSON.parse(text.value) as object;
      bad.value = false;
    } catch {
      bad.value = true;
      return;
    }
    void action.run(async () => {
      try {
        await saveItem(api, props.kind, id.value.trim(), body);
        message.value = '';
        props.onSaved();
      } catch (err) {
        message.value = detailOf(err);
        throw err;
      }
    });
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid={`routing-editor-${props.kind}`}>
      <label>
        {props.kind === 'agents' ? t('routing.userId') : t('routing.id')}
        <input
          data-testid="routing-item-id"
          required
          value={id.value}
          onInput={(e) => (id.value = e.currentTarget.value)}
        />
      </label>
      <label>
        {t('routing.json')}
        <textarea
          data-testid="routing-item-json"
          rows={10}
          value={text.value}
          onInput={(e) => (text.value = e.currentTarget.value)}
        />
      </label>
      {bad.value ? <p class="error">{t('routing.badJson')}</p> : null}
      <ErrorText code={action.error} />
      {message.value ? (
        <p class="error" data-testid="routing-item-message">
          {message.value}
        </p>
      ) : null}
      <button type="submit" data-testid="routing-item-save" disabled={action.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
