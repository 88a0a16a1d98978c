import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { fetchDefinitions, publishWorkflow, saveSlaPolicy } from './api.ts';
import { type Failure, failureOf, RefusalText } from './refusal.tsx';

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

/** Workflow and SLA definitions as JSON, validated by the appliance (errors name the state). */
export function TicketAdminPanel() {
  const wf = useSignal('');
  const sla = useSignal('');
  useEffect(() => {
    void fetchDefinitions(api).then((d) => {
      wf.value = JSON.stringify(d.workflows[0] ?? {}, null, 2);
      sla.value = JSON.stringify(d.policies[0] ?? {}, null, 2);
    });
  }, []);
  const strip = (v: unknown, keys: string[]) =>
    Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !keys.includes(k)));
  return (
    <section class="stack" data-testid="ticket-admin">
      <JsonEditor
        testid="workflow"
        title={t('tickets.admin.workflow')}
        submit={t('tickets.admin.publish')}
        value={wf.value}
        onSave={(v) => publishWorkflow(api, strip(v, ['version', 'createdAt', 'createdBy']))}
      />
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
    </section>
  );
}
