import { useSignal } from '@preact/signals';
import { api } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { deleteRole, type Permission, type Role, updateRole } from '../data/roles.ts';
import { roleName, t } from '../i18n/index.ts';
import { shippedName } from '../i18n/labels.ts';
import { PermissionPicker } from './permission-picker.tsx';

export function RoleCard(props: {
  role: Role;
  onChanged: (role: Role) => void;
  onDeleted: (id: string) => void;
}) {
  const { role } = props;
  const draft = useSignal<Permission[] | undefined>(undefined);
  const confirmDelete = useSignal(false);
  const action = useAction();

  const save = (permissions: Permission[]) =>
    action.run(async () => {
      props.onChanged(await updateRole(api, role.id, { permissions }));
      draft.value = undefined;
    });
  const remove = () =>
    action.run(async () => {
      await deleteRole(api, role.id);
      props.onDeleted(role.id);
    });
  const startEdit = () => {
    draft.value = [...role.permissions];
  };
  const stopEdit = () => {
    draft.value = undefined;
  };

  return (
    <article class="card stack" data-testid={`role-${role.id}`}>
      <div class="row">
        <h2>{roleName(role.id)}</h2>
        <span class="tag">{t(role.builtin ? 'roles.builtin' : 'roles.custom')}</span>
        {role.description && <span class="muted">{shippedName('roleDesc', role.id, role.description)}</span>}
      </div>
      <PermissionPicker
        selected={draft.value ?? role.permissions}
        testid={`role-${role.id}-perm`}
        {...(draft.value
          ? {
              onChange: (next: Permission[]) => {
                draft.value = next;
              },
            }
          : {})}
      />
      {!role.builtin && (
        <div class="row">
          {draft.value ? (
            <>
              <button
                type="button"
                data-testid={`role-save-${role.id}`}
                disabled={action.busy || draft.value.length === 0}
                onClick={() => draft.value && void save(draft.value)}
              >
                {t('common.save')}
              </button>
              <button type="button" class="secondary" onClick={stopEdit}>
                {t('common.cancel')}
              </button>
            </>
          ) : (
            <button type="button" class="secondary" data-testid={`role-edit-${role.id}`} onClick={startEdit}>
              {t('common.edit')}
            </button>
          )}
          {confirmDelete.value ? (
            <span class="confirm">
              {t('roles.confirmDelete', { id: role.id })}
              <button
                type="button"
                class="danger"
                data-testid={`role-delete-confirm-${role.id}`}
                onClick={remove}
              >
                {t('common.yes')}
              </button>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  confirmDelete.value = false;
                }}
              >
                {t('common.no')}
              </button>
            </span>
          ) : (
            <button
              type="button"
              class="danger"
              data-testid={`role-delete-${role.id}`}
              onClick={() => {
                confirmDelete.value = true;
              }}
            >
              {t('common.delete')}
            </button>
          )}
        </div>
      )}
      <ErrorText code={action.error} testid={`role-error-${role.id}`} />
    </article>
  );
}
