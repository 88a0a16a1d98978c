import { t } from '../../i18n/index.ts';
import { type FlowDraft, type FlowNodeDraft, flowTree, type TreeItem } from './flow-model.ts';
import { edgeLabel, type Named, typeLabel } from './flow-node-form.tsx';

interface Props {
  flow: FlowDraft;
  selected: string | undefined;
  /** The node the last refusal named: outlined and marked `data-invalid`. */
  invalid: string | undefined;
  queues: Named[];
  calendars: Named[];
  onSelect: (id: string) => void;
}

const nameOf = (items: Named[], id: unknown) =>
  typeof id === 'string' ? (items.find((i) => i.id === id)?.name ?? id) : '';

/** A short line saying what a node does: its prompt, its queue by name, its calendar by name. */
function summary(n: FlowNodeDraft, p: Props): string {
  const s = (k: string) => (typeof n[k] === 'string' ? (n[k] as string) : '');
  switch (n.type) {
    case 'say':
      return s('text');
    case 'menu':
    case 'collect':
    case 'listen':
    case 'voicemail':
      return s('prompt');
    case 'play':
      return s('prompt');
    case 'enqueue':
      return nameOf(p.queues, n['queue']);
    case 'hours':
      return n['calendar'] ? nameOf(p.calendars, n['calendar']) : t('flows.calendar.default');
    case 'transfer':
      return s('target');
    default:
      return s('variable');
  }
}

/** An intent edge reads as what the caller says ("I want to cancel my order" → cancel_order). */
function viaLabel(item: TreeItem, flow: FlowDraft): string {
  const via = item.via;
  if (!via) return '';
  const phrase = via.kind === 'intent' ? flow.intents?.[via.key ?? '']?.[0] : undefined;
  return phrase ? t('flows.edge.intentPhrase', { phrase, intent: via.key ?? '' }) : edgeLabel(via);
}

function Item({ item, p }: { item: TreeItem; p: Props }) {
  const node = p.flow.nodes[item.id];
  const bad = p.invalid === item.id;
  const style = bad
    ? 'outline: 2px solid var(--danger); background: #fdecea; color: var(--danger)'
    : undefined;
  return (
    <li>
      {item.via && <span class="muted">{viaLabel(item, p.flow)} → </span>}
      {item.missing ? (
        <span class="error" data-testid="flow-missing">
          {item.id ? t('flows.missingNode', { node: item.id }) : t('flows.edge.none')}
        </span>
      ) : item.ref ? (
        <button
          type="button"
          class="link"
          data-testid={`flow-ref-${item.id}`}
          onClick={() => p.onSelect(item.id)}
        >
          {t('flows.goto', { node: item.id })}
        </button>
      ) : (
        <button
          type="button"
          class={p.selected === item.id ? '' : 'secondary'}
          style={style}
          data-testid={`flow-node-${item.id}`}
          data-type={node?.type}
          data-invalid={bad ? 'true' : undefined}
          aria-current={p.selected === item.id ? 'true' : undefined}
          onClick={() => p.onSelect(item.id)}
        >
          <strong>{node ? typeLabel(node.type) : ''}</strong> <code>{item.id}</code>
          {node && summary(node, p) ? ` — ${summary(node, p)}` : ''}
        </button>
      )}
      {item.children.length > 0 && (
        <ul>
          {item.children.map((c, i) => (
            <Item key={`${i}-${c.id}`} item={c} p={p} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The flow as a nested list from the start node; nodes the start never reaches are listed apart. */
export function FlowTree(p: Props) {
  const { main, unreachable } = flowTree(p.flow);
  return (
    <div class="stack" data-testid="flow-tree">
      <ul>{main && <Item item={main} p={p} />}</ul>
      {unreachable.length > 0 && (
        <div data-testid="flow-unreachable">
          <h3>{t('flows.unreachable')}</h3>
          <ul>
            {unreachable.map((u) => (
              <Item key={u.id} item={u} p={p} />
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
