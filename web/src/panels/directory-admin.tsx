import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import {
  addMapping,
  type DirectoryStatus,
  deleteMapping,
  fetchDirectoryStatus,
  fetchMappings,
  type GroupMapping,
} from '../data/directory.ts';
import { fetchRoles, type Role } from '../data/roles.ts';
import { roleName, t } from '../i18n/index.ts';

function StatusLine({ status }: { status: DirectoryStatus | undefined }) {
  if (!status) return null;
  if (!status.configured) {
    return <p data-testid="directory-status">{t('directory.notConfigured')}</p>;
  }
  const state =
    status.reachable === null
      ? t('directory.notAskedYet')
      : status.reachable
        ? t('directory.reachable')
        : t('directory.unreachable');
  return (
    <p data-testid="directory-status" data-reachable={String(status.reachable)}>
      {t('directory.statusLine', { url: status.url ?? '', state, users: status.users })}
    </p>
  );
}

function MappingForm(props: { roles: Role[]; onAdded: (m: GroupMapping) => void }) {
  const groupDn = useSignal('');
  const role = useSignal('agent');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      props.onAdded(await addMapping(api, { groupDn: groupDn.value.trim(), role: role.value }));
      groupDn.value = '';
    });
  };
  return (
    <form class="card stack" onSubmit={submit}>
      <h2>{t('directory.addMapping')}</h2>
      <div class="row">
        <label>
          {t('directory.groupDn')}
          <input
            data-testid="directory-group-dn"
            // A DN example is shown as it is, in every language.
            translate={false}
            required
            maxLength={1024}
            placeholder="cn=Tellers,ou=Groups,dc=bank,dc=cn"
            value={groupDn.value}
            onInput={(e) => {
              groupDn.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('directory.role')}
          <select
            data-testid="directory-role"
            value={role.value}
            onChange={(e) => {
              role.value = e.currentTarget.value;
            }}
          >
            {props.roles.map((r) => (
              <option key={r.id} value={r.id}>
                {roleName(r.id)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorText code={action.error} testid="directory-add-error" />
      <div>
        <button type="submit" data-testid="directory-add" disabled={action.busy}>
          {action.busy ? t('common.working') : t('directory.addSubmit')}
        </button>
      </div>
    </form>
  );
}

/** Directory sign-in: its state and the group → role mappings (admins: users.manage). */
export function DirectoryAdminPanel() {
  const mappings = useSignal<GroupMapping[]>([]);
  const roles = useSignal<Role[]>([]);
  const status = useSignal<DirectoryStatus | undefined>(undefined);
  const load = useAction();
  const remove = useAction();
  useEffect(() => {
    void load.run(async () => {
      const [m, r, s] = await Promise.all([fetchMappings(api), fetchRoles(api), fetchDirectoryStatus(api)]);
      mappings.value = m;
      roles.value = r;
      status.value = s;
    });
  }, []);
  return (
    <section class="stack" data-testid="directory-panel">
      <h1>{t('directory.title')}</h1>
      <StatusLine status={status.value} />
      <ErrorText code={load.error} testid="directory-error" />
      <MappingForm
        roles={roles.value}
        onAdded={(m) => {
          mappings.value = [...mappings.value.filter((x) => x.id !== m.id), m];
        }}
      />
      <div class="card stack">
        <h2>{t('directory.mappings')}</h2>
        {mappings.value.length === 0 && <p data-testid="directory-empty">{t('directory.none')}</p>}
        <ErrorText code={remove.error} testid="directory-remove-error" />
        <table>
          <tbody>
            {mappings.value.map((m) => (
              <tr key={m.id} data-testid="directory-mapping">
                <td>
                  <code>{m.groupDn}</code>
                </td>
                <td>{roleName(m.role)}</td>
                <td>
                  <button
                    type="button"
                    data-testid={`directory-remove-${m.id}`}
                    disabled={remove.busy}
                    onClick={() =>
                      void remove.run(async () => {
                        await deleteMapping(api, m.id);
                        mappings.value = mappings.value.filter((x) => x.id !== m.id);
                      })
                    }
                  >
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
