import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { EditorActions } from '../../components/editor-actions.tsx';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import type { User } from '../../data/auth.ts';
import { fetchUsers } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import {
  type DepartmentDef,
  type DepartmentUsedBy,
  deleteDepartment,
  listDepartments,
  saveDepartment,
} from './api.ts';

const LEVELS = ['L1', 'L2', 'L3'];
const newId = () => `dept-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const who = (u: User | undefined, id: string) => (u ? `${u.displayName} (${u.username})` : id);

/** Why a delete was refused: the tickets, workflows and SLA policies that use the department. */
function UsedBy({ usedBy }: { usedBy: DepartmentUsedBy }) {
  return (
    <ul data-testid="dept-used-by">
      {usedBy.tickets.map((x) => (
        <li key={x.id}>{t('tickets.dept.usedTicket', { number: x.number })}</li>
      ))}
      {usedBy.workflows.map((x) => (
        <li key={x.id}>{t('tickets.dept.usedWorkflow', { name: x.name, level: x.level })}</li>
      ))}
      {usedBy.policies.map((x) => (
        <li key={x.id}>{t('tickets.dept.usedPolicy', { name: x.name })}</li>
      ))}
    </ul>
  );
}

function DepartmentForm(props: { dept: DepartmentDef; users: User[]; isNew: boolean; onDone: () => void }) {
  const d = useSignal<DepartmentDef>(props.dept);
  const action = useAction();
  const cur = d.value;
  const byId = new Map(props.users.map((u) => [u.id, u]));
  const setMember = (i: number, m: DepartmentDef['members'][number]) => {
    d.value = { ...cur, members: cur.members.map((x, j) => (j === i ? m : x)) };
  };
  const free = props.users.filter((u) => !cur.members.some((m) => m.userId === u.id));
  return (
    <div class="card stack" data-testid="dept-form">
      <label>
        {t('tickets.dept.name')}
        <input
          data-testid="dept-name"
          required
          value={cur.name}
          onInput={(e) => {
            d.value = { ...cur, name: e.currentTarget.value };
          }}
        />
      </label>
      <table>
        <thead>
          <tr>
            <th>{t('tickets.dept.member')}</th>
            <th>{t('tickets.dept.level')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {cur.members.map((m, i) => (
            <tr key={m.userId} data-testid="dept-member">
              <td>{who(byId.get(m.userId), m.userId)}</td>
              <td>
                <input
                  list="dept-levels"
                  aria-label={t('tickets.dept.level')}
                  data-testid="dept-member-level"
                  value={m.level ?? ''}
                  onInput={(e) => {
                    const level = e.currentTarget.value.trim();
                    setMember(i, level ? { userId: m.userId, level } : { userId: m.userId });
                  }}
                />
              </td>
              <td>
                <button
                  type="button"
                  data-testid="dept-member-remove"
                  onClick={() => {
                    d.value = { ...cur, members: cur.members.filter((_, j) => j !== i) };
                  }}
                >
                  {t('tickets.dept.removeMember')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <datalist id="dept-levels">
        {LEVELS.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <label>
        {t('tickets.dept.addMember')}
        <select
          data-testid="dept-add-member"
          value=""
          onChange={(e) => {
            const userId = e.currentTarget.value;
            if (userId) d.value = { ...cur, members: [...cur.members, { userId, level: 'L1' }] };
          }}
        >
          <option value="">{t('tickets.dept.pickUser')}</option>
          {free.map((u) => (
            <option key={u.id} value={u.id}>
              {who(u, u.id)}
            </option>
          ))}
        </select>
      </label>
      <EditorActions<DepartmentUsedBy>
        prefix="dept"
        action={action}
        canSave={Boolean(cur.name.trim())}
        isNew={props.isNew}
        confirmTitle={t('tickets.dept.confirmDelete', { name: cur.name })}
        inUseCode="TICKETS_IN_USE"
        onSave={() => saveDepartment(api, { ...cur, name: cur.name.trim() })}
        onDelete={() => deleteDepartment(api, cur.id)}
        onDone={props.onDone}
        usedBy={(u) => <UsedBy usedBy={u} />}
      />
    </div>
  );
}

/** Departments: list → open → edit → save; members picked by name, each with an engineer level. */
export function DepartmentsAdmin() {
  const list = useSignal<DepartmentDef[]>([]);
  const users = useSignal<User[]>([]);
  const open = useSignal<{ dept: DepartmentDef; isNew: boolean } | undefined>(undefined);
  const action = useAction();
  const load = async () => {
    list.value = await listDepartments(api);
    users.value = await fetchUsers(api);
  };
  useEffect(() => {
    void action.run(load);
  }, []);
  if (open.value) {
    return (
      <DepartmentForm
        key={open.value.dept.id}
        dept={open.value.dept}
        isNew={open.value.isNew}
        users={users.value}
        onDone={() => {
          open.value = undefined;
          void action.run(load);
        }}
      />
    );
  }
  const byId = new Map(users.value.map((u) => [u.id, u]));
  return (
    <div class="stack" data-testid="dept-list">
      <ErrorText code={action.error} />
      <button
        type="button"
        data-testid="dept-new"
        onClick={() => {
          open.value = { dept: { id: newId(), name: '', members: [] }, isNew: true };
        }}
      >
        {t('tickets.dept.new')}
      </button>
      {list.value.length === 0 ? (
        <p>{t('tickets.dept.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('tickets.dept.name')}</th>
              <th>{t('tickets.dept.members')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.map((x) => (
              <tr key={x.id} data-testid="dept-row">
                <td>
                  <button
                    type="button"
                    data-testid="dept-open"
                    onClick={() => {
                      open.value = { dept: structuredClone(x), isNew: false };
                    }}
                  >
                    {x.name}
                  </button>
                </td>
                <td>
                  {x.members
                    .map(
                      (m) =>
                        `${byId.get(m.userId)?.displayName ?? m.userId}${m.level ? ` · ${m.level}` : ''}`,
                    )
                    .join('、')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
