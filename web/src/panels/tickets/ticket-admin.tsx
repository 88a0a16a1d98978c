import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { fetchDefinitions, saveSlaPolicy } from './api.ts';
import { DepartmentsAdmin } from './departments-admin.tsx';
import { type Failure, failureOf, RefusalText } from './refusal.tsx';
import { WorkflowEditor } from './workflow-editor.tsx';

function JsonEditor(props: {
  testid: string;
  title: string;
  submit: string;
  value: string;
  onSave: (v: unknown) => Promise<unknown>;
}) {
  const text = useSignal(props.value);
  const failure = useSignal<Failure | undefined>(undefined);
  const bad = useSignal(false);
  const saved = useSignal(false);
  useEffect(() => {
    text.value = props.value;
  }, [props.value]);
  const save = async () => {
    failure.value = undefined;
    saved.value = false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.value);
      bad.value = false;
    } catch {
      bad.value = true;
      return;
    }
    try {
      await props.onSave(parsed);
      saved.value = true;
    } catch (e) {
      failure.value = failureOf(e);
    }
  };
  return (
    <div class="card stack">
      <h2>{props.title}</h2>
      <textarea
        rows={18}
        data-testid={`${props.testid}-json`}
        value={text.value}
        onInput={(e) => {
          text.value = e.currentTarget.value;
        }}
      />
      {bad.value && <p class="error">{t('tickets.admin.badJson')}</p>}
      <RefusalText failure={failure.value} />
      {saved.value && <p data-testid={`${props.testid}-saved`}>{t('tickets.admin.saved')}</p>}
      <button type="button" data-testid={`${props.testid}-save`} onClick={() => void save()}>
        {props.submit}
      </button>
    </div>
  );
}

type Tab = 'workflows' | 'departments' | 'sla';
const TABS: readonly Tab[] = ['workflows', 'departments', 'sla'];

/** SLA policy as JSON until its form lands. */
function SlaJson() {
  const sla = useSignal('');
  useEffect(() => {
    void fetchDefinitions(api).then((d) => {
      sla.value = JSON.stringify(d.policies[0] ?? {}, null, 2);
    });
  }, []);
  return (
    <JsonEditor
      testid="sla"
      title={t('tickets.admin.sla')}
      submit={t('tickets.admin.save')}
      value={sla.value}
      onSave={(v) => {
        const { id, ...rest } = v as { id: string };
        return saveSlaPolicy(api, id, rest);
      }}
    />
  );
}

/** Ticket configuration: workflows (diagram editor), departments and SLA policies. */
export function TicketAdminPanel() {
  const tab = useSignal<Tab>('workflows');
  return (
    <section class="stack" data-testid="ticket-admin">
      <div class="tabs" role="tablist">
        {TABS.map((x) => (
          <button
            key={x}
            type="button"
            role="tab"
            aria-selected={tab.value === x}
            data-testid={`ticket-admin-tab-${x}`}
            onClick={() => {
              tab.value = x;
            }}
          >
            {t(`tickets.admin.tab.${x}`)}
          </button>
        ))}
      </div>
      {tab.value === 'workflows' && <WorkflowEditor />}
      {tab.value === 'departments' && <DepartmentsAdmin />}
      {tab.value === 'sla' && <SlaJson />}
    </section>
  );
}
