import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import {
  createFromContact,
  type DepartmentDef,
  listDepartments,
  listWorkflows,
  PRIORITY_LEVELS,
  type PriorityLevel,
} from './api.ts';
import { type Failure, failureOf, RefusalText } from './refusal.tsx';

/** The fields an admin's workflow asks for on its way (requiredFields): offered at creation, all optional. */
async function workflowFields(): Promise<string[]> {
  const wfs = await listWorkflows(api);
  const wf = wfs.find((w) => w.id === 'default') ?? wfs[0];
  return [...new Set(wf?.transitions.flatMap((tr) => tr.requiredFields ?? []) ?? [])];
}

interface Draft {
  subject: string;
  priority: PriorityLevel;
  departmentId: string;
  fields: Record<string, string>;
}

/**
 * For the inbox: "Create ticket" opens a modal dialog prefilled from the live
 * contact (subject = first message, editable; priority; department; the
 * workflow's fields); the ticket is created on confirm. The appliance fills in
 * customer, conversation and language. Focus returns to the button.
 * @example
 * <CreateTicketButton contactId={contact.id} subject={firstMessage} onCreated={(t) => open(t.id)} />
 */
export function CreateTicketButton(props: {
  contactId: string;
  subject?: string;
  description?: string;
  onCreated?: (ticket: { id: string; number: string }) => void;
}) {
  const busy = useSignal(false);
  const open = useSignal(false);
  const created = useSignal<string | undefined>(undefined);
  const failure = useSignal<Failure | undefined>(undefined);
  const departments = useSignal<DepartmentDef[]>([]);
  const fieldNames = useSignal<string[]>([]);
  const draft = useSignal<Draft>({ subject: '', priority: 'normal', departmentId: '', fields: {} });
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const subjectBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open.value && !d.open) {
      d.showModal();
      subjectBox.current?.focus();
    }
    if (!open.value && d.open) d.close();
  }, [open.value]);

  const show = () => {
    failure.value = undefined;
    draft.value = {
      subject: (props.subject ?? '').slice(0, 300),
      priority: 'normal',
      departmentId: '',
      fields: {},
    };
    open.value = true;
    // Lists are context: the dialog works without them (a ticket needs only a subject).
    listDepartments(api).then(
      (v) => {
        departments.value = v;
      },
      () => undefined,
    );
    workflowFields().then(
      (v) => {
        fieldNames.value = v;
      },
      () => undefined,
    );
  };
  const close = () => {
    open.value = false;
    opener.current?.focus();
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const d = draft.value;
    if (!d.subject.trim()) return;
    busy.value = true;
    failure.value = undefined;
    try {
      const fields = Object.fromEntries(Object.entries(d.fields).filter(([, v]) => v.trim()));
      const ticket = await createFromContact(
        api,
        props.contactId,
        d.subject.trim(),
        props.description ?? '',
        {
          priority: d.priority,
          ...(d.departmentId ? { departmentId: d.departmentId } : {}),
          ...(Object.keys(fields).length ? { fields } : {}),
        },
      );
      created.value = ticket.number;
      close();
      props.onCreated?.(ticket);
    } catch (err) {
      failure.value = failureOf(err);
    } finally {
      busy.value = false;
    }
  };
  const set = (patch: Partial<Draft>) => {
    draft.value = { ...draft.value, ...patch };
  };
  const d = draft.value;
  return (
    <span class="create-ticket">
      <button ref={opener} type="button" data-testid="create-ticket" aria-haspopup="dialog" onClick={show}>
        {t('tickets.create')}
      </button>
      {created.value && (
        <span role="status" data-testid="create-ticket-done">
          {t('tickets.created', { number: created.value })}
        </span>
      )}
      <dialog
        ref={dialog}
        class="card stack ticket-dialog"
        aria-labelledby="create-ticket-title"
        data-testid="create-ticket-dialog"
        onCancel={(e) => {
          e.preventDefault();
          close();
        }}
      >
        <form class="stack" onSubmit={(e) => void submit(e)}>
          <h2 id="create-ticket-title">{t('tickets.createTitle')}</h2>
          <label>
            {t('tickets.subject')}
            <input
              ref={subjectBox}
              data-testid="create-ticket-subject"
              required
              maxLength={300}
              value={d.subject}
              onInput={(e) => set({ subject: e.currentTarget.value })}
            />
          </label>
          <label>
            {t('tickets.priority')}
            <select
              data-testid="create-ticket-priority"
              value={d.priority}
              onChange={(e) => {
                const p = PRIORITY_LEVELS.find((x) => x === e.currentTarget.value);
                if (p) set({ priority: p });
              }}
            >
              {PRIORITY_LEVELS.map((p) => (
                <option key={p} value={p}>
                  {label('priority', p)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('tickets.department')}
            <select
              data-testid="create-ticket-department"
              value={d.departmentId}
              onChange={(e) => set({ departmentId: e.currentTarget.value })}
            >
              <option value="">{t('tickets.noDepartment')}</option>
              {departments.value.map((dep) => (
                <option key={dep.id} value={dep.id}>
                  {dep.name}
                </option>
              ))}
            </select>
          </label>
          {fieldNames.value.map((f) => (
            <label key={f}>
              {f}
              <input
                data-testid={`create-ticket-field-${f}`}
                maxLength={2000}
                value={d.fields[f] ?? ''}
                onInput={(e) => set({ fields: { ...d.fields, [f]: e.currentTarget.value } })}
              />
            </label>
          ))}
          <RefusalText failure={failure.value} />
          <div class="row">
            <button
              type="submit"
              data-testid="create-ticket-confirm"
              disabled={busy.value || !d.subject.trim()}
            >
              {t('tickets.createConfirm')}
            </button>
            <button type="button" class="secondary" data-testid="create-ticket-cancel" onClick={close}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </dialog>
    </span>
  );
}
