import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { createRole, fetchRoles, type Permission, type Role } from '../data/roles.ts';
import { t } from '../i18n/index.ts';
import { PermissionPicker } from './permission-picker.tsx';
import { RoleCard } from './role-card.tsx';

function RoleCreateForm(props: { onCreated: (role: Role) => void }) {
  const id = useSignal('');
  const description = useSignal('');
  const permissions = useSignal<Permission[]>([]);
  const noPermission = useSignal(false);
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    noPermission.value = permissions.value.length === 0;
    if (noPermission.value) return;
    void action.run(async () => {
      const desc = description.value.trim();
      const role = await createRole(api, {
        id: id.value.trim(),
        permissions: permissions.value,
        ...(desc ? { description: desc } : {}),
      });
      id.value = '';
      description.value = '';
      permissions.value = [];
      props.onCreated(role);
    });
  };

  return (
    <form class="card stack" onSubmit={submit}>
      <h2>{t('roles.create')}</h2>
      <div class="row">
        <label>
          {t('roles.id')}
          <input
            data-testid="role-create-id"
            required
            minLength={2}
            maxLength={40}
            value={id.value}
            onInput={(e) => {
              id.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('roles.description')}
          <input
            data-testid="role-create-description"
            maxLength={200}
            value={description.value}
            onInput={(e) => {
              description.value = e.currentTarget.value;
            }}
          />
        </label>
      </div>
      <PermissionPicker
        selected={permissions.value}
        testid="role-create-perm"
        onChange={(next) => {
          permissions.value = next;
        }}
      />
      {noPermission.value && (
        <p class="error" role="alert">
          {t('roles.pickPermission')}
        </p>
      )}
      <ErrorText code={action.error} testid="role-create-error" />
      <div>
        <button type="submit" data-testid="role-create-submit" disabled={action.busy}>
          {action.busy ? t('common.working') : t('roles.createSubmit')}
        </button>
      </div>
    </form>
  );
}

export function RolesAdminPanel() {
  const roles = useSignal<Role[]>([]);
  const load = useAction();
  useEffect(() => {
    void load.run(async () => {
      roles.value = await fetchRoles(api);
    });
  }, []);
  const upsert = (role: Role) => {
    const i = roles.value.findIndex((r) => r.id === role.id);
    roles.value = i < 0 ? [...roles.value, role] : roles.value.map((r) => (r.id === role.id ? role : r));
  };

  return (
    <section class="stack">
      <h1>{t('roles.title')}</h1>
      <ErrorText code={load.error} testid="roles-error" />
      <RoleCreateForm onCreated={upsert} />
      {roles.value.map((r) => (
        <RoleCard
          key={r.id}
          role={r}
          onChanged={upsert}
          onDeleted={(id) => {
            roles.value = roles.value.filter((x) => x.id !== id);
          }}
        />
      ))}
    </section>
  );
}
