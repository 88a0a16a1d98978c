import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import {
  type AgentRow,
  CONFIG_KINDS,
  type ConfigKind,
  deleteItem,
  fetchAgents,
  fetchConfig,
  type RoutingConfig,
} from './api.ts';
import { ItemEditor } from './item-editor.tsx';
import { MatchTestTool } from './match-test.tsx';

type Tab = ConfigKind | 'agents' | 'match';

/** Queues, skills, workflows, business hours and agent profiles, plus the match-test tool. */
export function RoutingAdminPanel() {
  const tab = useSignal<Tab>('queues');
  const config = useSignal<RoutingConfig | undefined>(undefined);
  const agents = useSignal<AgentRow[]>([]);
  const load = async () => {
    config.value = await fetchConfig(api);
    agents.value = await fetchAgents(api);
  };
  useEffect(() => void load(), []);
  const tabs: Tab[] = [...CONFIG_KINDS, 'agents', 'match'];
  const current = tab.value;
  const items: Array<{ id: string; label: string; body: object }> =
    current === 'agents'
      ? agents.value.map(({ userId, state, reason, load: _l, ...body }) => ({
          id: userId,
          label: `${body.displayName ?? userId} — ${state}${reason ? ` (${reason})` : ''}`,
          body,
        }))
      : current === 'match'
        ? []
        : (config.value?.[current] ?? []).map(({ id, ...body }) => ({ id, label: body.name, body }));
  return (
    <div class="stack" data-testid="routing-admin">
      <h1>{t('nav.routing')}</h1>
      <nav class="row" aria-label={t('nav.routing')}>
        {tabs.map((k) => (
          <button
            key={k}
            type="button"
            class={k === current ? '' : 'secondary'}
            data-testid={`routing-tab-${k}`}
            onClick={() => (tab.value = k)}
          >
            {t(`routing.tab.${k}`)}
          </button>
        ))}
      </nav>
      {current === 'match' ? (
        <MatchTestTool />
      ) : (
        <>
          <ul class="stack" data-testid="routing-items">
            {items.map((it) => (
              <li key={it.id} class="row">
                <code>{it.id}</code> <span>{it.label}</span>
                <button
                  type="button"
                  class="secondary"
                  data-testid={`routing-delete-${it.id}`}
                  onClick={() => void deleteItem(api, current, it.id).then(load)}
                >
                  {t('common.delete')}
                </button>
              </li>
            ))}
          </ul>
          <ItemEditor key={current} kind={current} onSaved={() => void load()} />
        </>
      )}
    </div>
  );
}
