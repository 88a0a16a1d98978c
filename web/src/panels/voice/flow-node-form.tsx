import { useSignal } from '@preact/signals';
import { type MessageKey, t } from '../../i18n/index.ts';
import {
  type Edge,
  edgesOf,
  type FlowDraft,
  type FlowNodeDraft,
  freshId,
  NODE_TYPES,
  type NodeType,
  newNode,
  renamed,
  withEdge,
  withoutNode,
} from './flow-model.ts';

export interface Named {
  id: string;
  name: string;
}

interface Props {
  flow: FlowDraft;
  id: string;
  queues: Named[];
  calendars: Named[];
  onChange: (flow: FlowDraft) => void;
  onSelect: (id: string | undefined) => void;
  /** A local refusal (a duplicate key, a taken id), shown like the appliance's, on this node. */
  onRefuse: (reason: string) => void;
}

export const typeLabel = (type: string) => t(`flows.type.${type}` as MessageKey);

/** How an edge is labelled in the tree and the form. */
export function edgeLabel(e: Edge): string {
  if (e.kind === 'key') return t('flows.edge.key', { key: e.key ?? '' });
  if (e.kind === 'intent') return t('flows.edge.intent', { intent: e.key ?? '' });
  if (e.kind === 'case') return t('flows.edge.case', { value: e.key ?? '' });
  return t(`flows.edge.${e.kind}` as MessageKey);
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? String(v) : '');

/** The side form of one node: its fields by type, its edges (pick a step, or make a new one), remove. */
export function FlowNodeForm(props: Props) {
  const { flow, id } = props;
  const node = flow.nodes[id];
  const newKey = useSignal('');
  const newIntent = useSignal('');
  if (!node) return null;
  const put = (n: FlowNodeDraft) => props.onChange({ ...flow, nodes: { ...flow.nodes, [id]: n } });
  const set = (field: string, value: unknown) => {
    if (value === undefined || value === '') {
      const { [field]: _drop, ...rest } = node;
      put(rest as FlowNodeDraft);
    } else put({ ...node, [field]: value });
  };
  const text = (field: string, label: MessageKey, area = false) =>
    area ? (
      <label class="stack">
        {t(label)}
        <textarea
          rows={3}
          data-testid={`flow-field-${field}`}
          value={str(node[field])}
          onInput={(e) => set(field, e.currentTarget.value)}
        />
      </label>
    ) : (
      <label class="stack">
        {t(label)}
        <input
          data-testid={`flow-field-${field}`}
          value={str(node[field])}
          onInput={(e) => set(field, e.currentTarget.value)}
        />
      </label>
    );
  const number = (field: string, label: MessageKey, scale = 1) => (
    <label class="stack">
      {t(label)}
      <input
        type="number"
        min={0}
        data-testid={`flow-field-${field}`}
        value={node[field] === undefined ? '' : String(Number(num(node[field])) / scale)}
        onInput={(e) => {
          const v = e.currentTarget.value;
          set(field, v === '' ? undefined : Math.round(Number(v) * scale));
        }}
      />
    </label>
  );
  const picker = (field: string, label: MessageKey, items: Named[], emptyLabel: MessageKey) => (
    <label class="stack">
      {t(label)}
      <select
        data-testid={`flow-field-${field}`}
        value={str(node[field])}
        onChange={(e) => set(field, e.currentTarget.value)}
      >
        <option value="">{t(emptyLabel)}</option>
        {items.map((q) => (
          <option key={q.id} value={q.id}>
            {q.name}
          </option>
        ))}
      </select>
    </label>
  );
  const addKeyed = (kind: 'key' | 'intent' | 'case', key: string) => {
    const k = key.trim();
    if (!k) return;
    if (edgesOf(node).some((e) => e.kind === kind && e.key === k)) {
      props.onRefuse('duplicate_key');
      return;
    }
    let n = withEdge(node, { kind, key: k, target: '' }, '');
    if (kind === 'intent') {
      n = { ...n, intents: [...((node['intents'] as string[] | undefined) ?? []), k] };
      props.onChange({
        ...flow,
        intents: { ...(flow.intents ?? {}), [k]: flow.intents?.[k] ?? [] },
        nodes: { ...flow.nodes, [id]: n },
      });
      return;
    }
    put(n);
  };
  const dropKeyed = (e: Edge) => {
    const field = e.kind === 'key' ? 'options' : e.kind === 'intent' ? 'next' : 'cases';
    const { [e.key ?? '']: _gone, ...rest } = (node[field] ?? {}) as Record<string, string>;
    const n: FlowNodeDraft = { ...node, [field]: rest };
    if (e.kind === 'intent') n['intents'] = ((node['intents'] as string[]) ?? []).filter((i) => i !== e.key);
    put(n);
  };
  const link = (e: Edge, target: string) => put(withEdge(node, e, target));
  const linkNew = (e: Edge, type: NodeType) => {
    const fresh = freshId(flow, type);
    props.onChange({
      ...flow,
      nodes: { ...flow.nodes, [id]: withEdge(node, e, fresh), [fresh]: newNode(type) },
    });
    props.onSelect(fresh);
  };
  const edgeTestId = (e: Edge) => (e.key === undefined ? e.kind : `${e.kind}-${e.key}`);

  return (
    <section class="card stack" data-testid="flow-node-form" data-node={id}>
      <div class="row">
        <label class="stack">
          {t('flows.nodeId')}
          <input
            data-testid="flow-node-id"
            value={id}
            onChange={(e) => {
              const to = e.currentTarget.value.trim();
              if (!to || to === id) return;
              if (flow.nodes[to]) return props.onRefuse('duplicate_key');
              props.onChange(renamed(flow, id, to));
              props.onSelect(to);
            }}
          />
        </label>
        <label class="stack">
          {t('flows.nodeType')}
          <select
            data-testid="flow-node-type"
            value={node.type}
            onChange={(e) => {
              const type = e.currentTarget.value as NodeType;
              put(newNode(type));
            }}
          >
            {NODE_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {typeLabel(ty)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {(node.type === 'menu' ||
        node.type === 'collect' ||
        node.type === 'listen' ||
        node.type === 'voicemail') &&
        text('prompt', 'flows.field.prompt', true)}
      {node.type === 'say' && text('text', 'flows.field.text', true)}
      {node.type === 'play' && text('prompt', 'flows.field.promptFile')}
      {(node.type === 'menu' || node.type === 'collect' || node.type === 'listen') &&
        number('timeoutMs', 'flows.field.timeout', 1000)}
      {node.type === 'menu' && number('retries', 'flows.field.retries')}
      {(node.type === 'collect' || node.type === 'branch' || node.type === 'lookup') &&
        text('variable', 'flows.field.variable')}
      {node.type === 'collect' && number('maxDigits', 'flows.field.maxDigits')}
      {node.type === 'collect' && (
        <label class="row">
          <input
            type="checkbox"
            data-testid="flow-field-pci"
            checked={node['pci'] === true}
            onChange={(e) => set('pci', e.currentTarget.checked || undefined)}
          />
          {t('flows.field.pci')}
        </label>
      )}
      {node.type === 'lookup' && text('lookup', 'flows.field.lookup')}
      {node.type === 'enqueue' && picker('queue', 'flows.field.queue', props.queues, 'flows.pickQueue')}
      {node.type === 'enqueue' && number('priority', 'flows.field.priority')}
      {node.type === 'hours' &&
        picker('calendar', 'flows.field.calendar', props.calendars, 'flows.calendar.default')}
      {node.type === 'voicemail' && number('maxMs', 'flows.field.maxSeconds', 1000)}
      {node.type === 'transfer' && text('target', 'flows.field.target')}
      {node.type === 'set' && (
        <label class="stack">
          {t('flows.field.attributes')}
          <textarea
            rows={3}
            data-testid="flow-field-attributes"
            value={Object.entries((node['attributes'] ?? {}) as Record<string, unknown>)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join('\n')}
            onChange={(e) =>
              set(
                'attributes',
                Object.fromEntries(
                  e.currentTarget.value
                    .split('\n')
                    .map((l) => l.split('='))
                    .filter(([k]) => k?.trim())
                    .map(([k, ...v]) => [k?.trim(), v.join('=').trim()]),
                ),
              )
            }
          />
        </label>
      )}
      {edgesOf(node).length > 0 && <h3>{t('flows.edges')}</h3>}
      <ul class="stack" data-testid="flow-edges">
        {edgesOf(node).map((e) => (
          <li key={edgeTestId(e)} class="row" data-testid={`flow-edge-${edgeTestId(e)}`}>
            <strong>{edgeLabel(e)}</strong>
            {e.kind === 'intent' && (
              <input
                data-testid={`flow-phrases-${e.key}`}
                placeholder={t('flows.field.phrases')}
                value={(flow.intents?.[e.key ?? ''] ?? []).join(', ')}
                onChange={(ev) =>
                  props.onChange({
                    ...flow,
                    intents: {
                      ...(flow.intents ?? {}),
                      [e.key ?? '']: ev.currentTarget.value
                        .split(/[,，]/)
                        .map((p) => p.trim())
                        .filter(Boolean),
                    },
                  })
                }
              />
            )}
            <select
              data-testid="flow-edge-target"
              aria-label={edgeLabel(e)}
              value={flow.nodes[e.target] ? e.target : ''}
              onChange={(ev) => link(e, ev.currentTarget.value)}
            >
              <option value="">{t('flows.edge.none')}</option>
              {Object.entries(flow.nodes)
                .filter(([other]) => other !== id)
                .map(([other, n]) => (
                  <option key={other} value={other}>
                    {other} · {typeLabel(n.type)}
                  </option>
                ))}
            </select>
            <select
              data-testid="flow-edge-new"
              aria-label={t('flows.edge.addNew')}
              value=""
              onChange={(ev) => {
                const v = ev.currentTarget.value as NodeType;
                if (v) linkNew(e, v);
              }}
            >
              <option value="">{t('flows.edge.addNew')}</option>
              {NODE_TYPES.map((ty) => (
                <option key={ty} value={ty}>
                  {typeLabel(ty)}
                </option>
              ))}
            </select>
            {(e.kind === 'key' || e.kind === 'intent' || e.kind === 'case') && (
              <button
                type="button"
                class="secondary"
                data-testid="flow-edge-remove"
                onClick={() => dropKeyed(e)}
              >
                {t('flows.removeEdge')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {(node.type === 'menu' || node.type === 'branch' || node.type === 'listen') && (
        <div class="row">
          <input
            data-testid="flow-new-key"
            placeholder={t(
              node.type === 'menu'
                ? 'flows.newKey'
                : node.type === 'listen'
                  ? 'flows.newIntent'
                  : 'flows.newCase',
            )}
            value={node.type === 'listen' ? newIntent.value : newKey.value}
            onInput={(e) => {
              if (node.type === 'listen') newIntent.value = e.currentTarget.value;
              else newKey.value = e.currentTarget.value;
            }}
          />
          <button
            type="button"
            class="secondary"
            data-testid="flow-add-key"
            onClick={() => {
              if (node.type === 'listen') {
                addKeyed('intent', newIntent.value);
                newIntent.value = '';
              } else {
                addKeyed(node.type === 'menu' ? 'key' : 'case', newKey.value);
                newKey.value = '';
              }
            }}
          >
            {t('flows.addKey')}
          </button>
        </div>
      )}
      <div class="row">
        <button
          type="button"
          class="secondary"
          data-testid="flow-make-start"
          disabled={flow.start === id}
          onClick={() => props.onChange({ ...flow, start: id })}
        >
          {t('flows.makeStart')}
        </button>
        <button
          type="button"
          class="danger"
          data-testid="flow-node-remove"
          onClick={() => {
            props.onChange(withoutNode(flow, id));
            props.onSelect(undefined);
          }}
        >
          {t('flows.removeNode')}
        </button>
      </div>
    </section>
  );
}
