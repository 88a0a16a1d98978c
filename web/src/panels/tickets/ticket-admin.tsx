import { useSignal } from '@preact/signals';
import { t } from '../../i18n/index.ts';
import { DepartmentsAdmin } from './departments-admin.tsx';
import { SlaAdmin } from './sla-admin.tsx';
import { WorkflowEditor } from './workflow-editor.tsx';

type Tab = 'workflows' | 'departments' | 'sla';
const TABS: readonly Tab[] = ['workflows', 'departments', 'sla'];

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
      {tab.value === 'sla' && <SlaAdmin />}
    </section>
  );
}
