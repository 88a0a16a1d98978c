import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import type { User } from '../../data/auth.ts';
import { fetchUsers } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import { label, shippedName } from '../../i18n/labels.ts';
import {
  type AgentRow,
  CONFIG_KINDS,
  type ConfigKind,
  deleteItem,
  fetchAgents,
  fetchConfig,
  type RoutingConfig,
  type UsedBy,
} from './api.ts';
import { CalendarForm } from './calendar-form.tsx';
import { ItemEditor } from './item-editor.tsx';
import { MatchTestTool } from './match-test.tsx';
import { ProfileForm } from './profile-form.tsx';
import { QueueForm } from './queue-form.tsx';
import { ReasonCodesForm } from './reason-codes-form.tsx';
import { SaveError, useSave } from './save-error.tsx';
import { SkillForm } from './skill-form.tsx';
import { WorkflowForm } from './workflow-form.tsx';

type Kind = ConfigKind | 'agents';
type Tab = Kind | 'reasons' | 'match';
interface Row {
  id: string;
  label: string;
  body: object;
}

/**
 * Queues, skills, workflows, business hours, agent profiles and not-ready
 * reasons as forms (list → open → edit → save; delete after a confirmation,
 * refused while in use), the match-test tool, and JSON import/export for bulk work.
 */
export function RoutingAdminPanel() {
  const tab = useSignal<Tab>('queues');
  const config = useSignal<RoutingConfig | undefined>(undefined);
  const agents = useSignal<AgentRow[]>([]);
  const users = useSignal<User[]>([]);
  /** The item open in the form: an id, 'new', or none. */
  const open = useSignal<string | undefined>(undefined);
  const confirming = useSignal<Row | undefined>(undefined);
  const del = useSave();
  const load = async () => {
    config.value = await fetchConfig(api);
    agents.value = await fetchAgents(api);
    users.value = await fetchUsers(api).catch(() => []);
  };
  useEffect(() => void load(), []);
  const tabs: Tab[] = [...CONFIG_KINDS, 'agents', 'reasons', 'match'];
  const current = tab.value;
  const cfg = config.value;
  const userName = (id: string) => {
    const u = users.value.find((x) => x.id === id);
    return u ? u.displayName : (agents.value.find((a) => a.userId === id)?.displayName ?? id);
  };
  const rows: Row[] =
    current === 'agents'
      ? agents.value.map(({ userId, state, reason, load: _l, ...body }) => ({
          id: userId,
          label: `${userName(userId)} — ${t(`routing.state.${state as 'available' | 'not_ready' | 'offline'}`)}${reason ? ` (${label('reason', reason)})` : ''}`,
          body,
        }))
      : current === 'match' || current === 'reasons' || !cfg
        ? []
        : (cfg[current] as Array<{ id: string; name: string }>).map(({ id, ...body }) => ({
            id,
            label: current === 'queues' ? shippedName('queue', id, body.name) : body.name,
            body,
          }));
  const select = (k: Tab) => {
    tab.value = k;
    open.value = undefined;
    confirming.value = undefined;
    del.clear();
  };
  const saved = () => {
    open.value = undefined;
    void load();
  };
  const names = (u: UsedBy) => (u.kind === 'profile' ? userName(u.id) : u.name);
  const form = () => {
    if (!cfg || open.value === undefined || current === 'match' || current === 'reasons') return null;
    const id = open.value === 'new' ? undefined : open.value;
    const key = `${current}:${open.value}`;
    if (current === 'queues')
      return (
        <QueueForm
          key={key}
          initial={cfg.queues.find((x) => x.id === id)}
          skills={cfg.skills}
          onSaved={saved}
        />
      );
    if (current === 'skills')
      return <SkillForm key={key} initial={cfg.skills.find((x) => x.id === id)} onSaved={saved} />;
    if (current === 'workflows')
      return (
        <WorkflowForm
          key={key}
          initial={cfg.workflows.find((x) => x.id === id)}
          queues={cfg.queues}
          calendars={cfg.calendars}
          onSaved={saved}
        />
      );
    if (current === 'calendars')
      return <CalendarForm key={key} initial={cfg.calendars.find((x) => x.id === id)} onSaved={saved} />;
    return (
      <ProfileForm
        key={key}
        initial={agents.value.find((a) => a.userId === id)}
        users={users.value.filter((u) => u.id === id || !agents.value.some((a) => a.userId === u.id))}
        skills={cfg.skills}
        onSaved={saved}
      />
    );
  };
  const kind = current as Kind;
  const pending = confirming.value;
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
            onClick={() => select(k)}
          >
            {t(`routing.tab.${k}`)}
          </button>
        ))}
      </nav>
      {current === 'match' ? <MatchTestTool /> : null}
      {current === 'reasons' && cfg ? (
        <ReasonCodesForm key={cfg.reasonCodes.join()} codes={cfg.reasonCodes} onSaved={() => void load()} />
      ) : null}
      {current !== 'match' && current !== 'reasons' ? (
        <>
          <table class="grid" data-testid="routing-items">
            <tbody>
              {rows.map((it) => (
                <tr key={it.id} data-testid={`routing-row-${it.id}`}>
                  <td>{it.label}</td>
                  <td>
                    <code>{current === 'agents' ? '' : it.id}</code>
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      class="secondary"
                      data-testid={`routing-open-${it.id}`}
                      onClick={() => {
                        open.value = it.id;
                        del.clear();
                      }}
                    >
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      data-testid={`routing-delete-${it.id}`}
                      onClick={() => {
                        confirming.value = it;
                        del.clear();
                      }}
                    >
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pending ? (
            <div class="card stack" role="alertdialog" data-testid="routing-confirm">
              <p>{t('routing.confirmDelete', { name: pending.label })}</p>
              <span class="row">
                <button
                  type="button"
                  data-testid="routing-confirm-delete"
                  disabled={del.busy}
                  onClick={() =>
                    void del
                      .run(() => deleteItem(api, kind, pending.id))
                      .then((ok) => {
                        confirming.value = undefined;
                        if (ok) {
                          if (open.value === pending.id) open.value = undefined;
                          void load();
                        }
                      })
                  }
                >
                  {t('common.delete')}
                </button>
                <button
                  type="button"
                  class="secondary"
                  data-testid="routing-confirm-cancel"
                  onClick={() => (confirming.value = undefined)}
                >
                  {t('common.cancel')}
                </button>
              </span>
            </div>
          ) : null}
          <SaveError refusal={del.refusal} names={names} testid="routing-delete-refusal" />
          <button
            type="button"
            data-testid="routing-new"
            onClick={() => {
              open.value = 'new';
              del.clear();
            }}
          >
            {t(`routing.new.${kind}`)}
          </button>
          {form()}
          <section class="stack" data-testid="routing-advanced">
            <h2>{t('routing.advanced')}</h2>
            <p class="muted">{t('routing.advancedHint')}</p>
            <label>
              {t('routing.export')}
              <textarea
                data-testid="routing-export"
                rows={4}
                readOnly
                value={JSON.stringify(
                  rows.map((r) => ({ id: r.id, ...r.body })),
                  null,
                  2,
                )}
              />
            </label>
            <ItemEditor key={current} kind={kind} onSaved={() => void load()} />
          </section>
        </>
      ) : null}
    </div>
  );
}
